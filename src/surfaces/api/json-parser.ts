/**
 * The JSON body parser: Fastify's own (which refuses prototype poisoning) behind two strict checks forms already
 * had. A key that appears twice is refused rather than letting the last one win (two parsers in a chain may pick
 * different ones), and bytes that are not UTF-8 are refused rather than silently becoming U+FFFD (a password a client
 * could never type again).
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestError } from './errors.js';

/** Decodes strictly: an invalid sequence throws instead of becoming U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The first key that appears twice in one object of a JSON text, or undefined. It walks the text once, tracking the
 * keys of each open object; keys are compared after their escapes are decoded (`"a"` and `"\u0061"` are one key). It
 * only looks at structure; whether the text is valid JSON is the parser's job.
 */
export function duplicateKey(text: string): string | undefined {
  const objects: Array<Set<string> | null> = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = objects.at(-1);
      if (expectingKey && top !== null && top !== undefined) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, end + 1)) as string;
        } catch {
          return undefined;
        }
        if (top.has(key)) return key;
        top.add(key);
        expectingKey = false;
      }
      i = end;
    } else if (char === '{') {
      objects.push(new Set());
      expectingKey = true;
    } else if (char === '[') {
      objects.push(null);
    } else if (char === '}' || char === ']') {
      objects.pop();
    } else if (char === ',') {
      expectingKey = objects.at(-1) !== null && objects.length > 0;
    }
  }
  return undefined;
}

/** Replaces the scope's JSON parser with Fastify's own behind the UTF-8 and duplicate-key checks. */
export function useStrictJson(app: FastifyInstance, bodyLimit: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request: FastifyRequest, body: Buffer | string, done) => {
    let text: string;
    try {
      text = typeof body === 'string' ? body : UTF8.decode(body);
    } catch {
      done(new RequestError('request.json_not_utf8'), undefined);
      return;
    }
    if (duplicateKey(text) !== undefined) {
      done(new RequestError('request.json_duplicate_key'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
