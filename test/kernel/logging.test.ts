// The logger's error serializer keeps what explains a failure and drops raw bytes, which a Buffer would otherwise
// write as a list of numbers (Node keeps a refused request's whole packet on its parse error).
import { describe, expect, it } from 'vitest';
import { serializeError } from '../../src/kernel/logging.js';

describe('serializeError', () => {
  it('keeps the type, message, stack and plain properties, and omits rawPacket and any byte buffer', () => {
    const error = Object.assign(new Error('Parse Error: Invalid header value char'), {
      code: 'HPE_INVALID_HEADER_TOKEN',
      rawPacket: Buffer.from('Cookie: session_id=secret'),
      bytes: new Uint8Array([1, 2, 3]),
      chunk: new ArrayBuffer(4),
    });
    const serialized = serializeError(error);
    expect(serialized).toMatchObject({ type: 'Error', message: 'Parse Error: Invalid header value char', code: 'HPE_INVALID_HEADER_TOKEN', rawPacket: '[bytes omitted]', bytes: '[bytes omitted]', chunk: '[bytes omitted]' });
    expect(String(serialized['stack'])).toContain('Parse Error');
    expect(JSON.stringify(serialized)).not.toMatch(/secret|115,101,99/);
  });
});
