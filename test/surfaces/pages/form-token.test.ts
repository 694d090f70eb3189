// The per-form token on its own: a field is bound to its cookie and its form, a malformed cookie is never trusted or
// kept, the key must be long enough, and the cookie is Secure (with the __Secure- name) when configured so or when
// the request came over https.
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { cookieName, FORM_TOKEN_FIELD, FormTokens } from '../../../src/surfaces/pages/form-token.js';

/** A request as the form tokens read it: its cookies and scheme. */
function request(cookies: Record<string, string> = {}, protocol: 'http' | 'https' = 'http'): FastifyRequest {
  const cookie = Object.entries(cookies).map(([name, value]) => `${name}=${value}`).join('; ');
  return { headers: cookie === '' ? {} : { cookie }, protocol } as unknown as FastifyRequest;
}

/** A reply that keeps the Set-Cookie it is given. */
function reply(): { reply: FastifyReply; setCookie(): string } {
  let set = '';
  const fake = { header: (name: string, value: string) => ((set = name === 'set-cookie' ? value : set), fake) };
  return { reply: fake as unknown as FastifyReply, setCookie: () => set };
}

/** The hidden field's value. */
function fieldOf(html: { toString(): string }): string {
  return new RegExp(`name="${FORM_TOKEN_FIELD}" value="([^"]+)"`).exec(html.toString())?.[1] ?? '';
}

describe('form tokens', () => {
  const tokens = new FormTokens(randomBytes(32), { secure: false });
  const cookieValue = randomBytes(32).toString('base64url');
  const other = randomBytes(32).toString('base64url');

  it('binds a field to its cookie and its form', () => {
    const out = reply();
    const field = fieldOf(tokens.issue(request({ sesame_form_verify: cookieValue }), out.reply, 'verify'));
    expect(field).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The browser's well-formed cookie is kept (a re-shown page stays valid with the first).
    expect(out.setCookie()).toMatch(new RegExp(`^sesame_form_verify=${cookieValue}; Max-Age=3600; HttpOnly; SameSite=Strict$`));
    expect(tokens.check(request({ sesame_form_verify: cookieValue }), 'verify', field)).toBe(true);
    expect(tokens.check(request({ sesame_form_verify: other }), 'verify', field)).toBe(false);
    expect(tokens.check(request({ sesame_form_reset: cookieValue }), 'reset', field)).toBe(false);
    expect(tokens.check(request({}), 'verify', field)).toBe(false);
    expect(tokens.check(request({ sesame_form_verify: cookieValue }), 'verify', undefined)).toBe(false);
    expect(tokens.check(request({ sesame_form_verify: cookieValue }), 'verify', `${field}x`)).toBe(false);
    // Two cookies give two fields; another key gives another field for the same cookie.
    const second = fieldOf(tokens.issue(request({ sesame_form_verify: other }), reply().reply, 'verify'));
    expect(second).not.toBe(field);
    const elsewhere = fieldOf(new FormTokens(randomBytes(32), { secure: false }).issue(request({ sesame_form_verify: cookieValue }), reply().reply, 'verify'));
    expect(elsewhere).not.toBe(field);
  });

  it('never trusts or keeps a malformed cookie, even with a field signed for it', () => {
    const malformed = 'short';
    const out = reply();
    const field = fieldOf(tokens.issue(request({ sesame_form_verify: malformed }), out.reply, 'verify'));
    const drawn = /^sesame_form_verify=([^;]+);/.exec(out.setCookie())?.[1] ?? '';
    expect(drawn).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(drawn).not.toBe(malformed);
    expect(tokens.check(request({ sesame_form_verify: drawn }), 'verify', field)).toBe(true);
    expect(tokens.check(request({ sesame_form_verify: malformed }), 'verify', field)).toBe(false);
    // A fresh visitor gets a fresh value each time.
    const first = reply();
    const again = reply();
    tokens.issue(request(), first.reply, 'reset');
    tokens.issue(request(), again.reply, 'reset');
    expect(first.setCookie()).not.toBe(again.setCookie());
  });

  it('refuses a malformed cookie even with the field its own key signs for that exact value', () => {
    // What a planted cookie of another shape would need: the field that matches it, computed here with the key.
    const key = randomBytes(32);
    const keyed = new FormTokens(key, { secure: false });
    const signed = (value: string, form: string): string => createHmac('sha256', key).update(`${value}\n${form}`, 'utf8').digest('base64url');
    const wellFormed = randomBytes(32).toString('base64url');
    expect(keyed.check(request({ sesame_form_reset: wellFormed }), 'reset', signed(wellFormed, 'reset'))).toBe(true);
    for (const malformed of ['short', wellFormed.slice(0, 42), `${wellFormed}A`, `${wellFormed.slice(0, 42)}.`, `${wellFormed.slice(0, 42)}+`]) {
      expect(keyed.check(request({ sesame_form_reset: malformed }), 'reset', signed(malformed, 'reset')), malformed).toBe(false);
    }
  });

  it('marks the cookie Secure under the __Secure- name when configured so or over https, and reads it by that name', () => {
    const secure = new FormTokens(randomBytes(32), { secure: true });
    const out = reply();
    const field = fieldOf(secure.issue(request(), out.reply, 'reset'));
    expect(out.setCookie()).toMatch(/^__Secure-sesame_form_reset=[A-Za-z0-9_-]{43}; Max-Age=3600; HttpOnly; Secure; SameSite=Strict$/);
    const value = /=([^;]+);/.exec(out.setCookie())?.[1] ?? '';
    expect(secure.check(request({ '__Secure-sesame_form_reset': value }), 'reset', field)).toBe(true);
    expect(secure.check(request({ sesame_form_reset: value }), 'reset', field)).toBe(false);
    const overHttps = reply();
    tokens.issue(request({}, 'https'), overHttps.reply, 'verify');
    expect(overHttps.setCookie()).toMatch(/^__Secure-sesame_form_verify=.*; Secure; SameSite=Strict$/);
    expect(cookieName('verify', false)).toBe('sesame_form_verify');
    expect(cookieName('verify', true)).toBe('__Secure-sesame_form_verify');
  });

  it('signs with the first key and accepts a field signed with any (a form opened before a rotation of SECRET_KEY)', () => {
    const older = randomBytes(32);
    const current = randomBytes(32);
    const before = fieldOf(new FormTokens(older, { secure: false }).issue(request({ sesame_form_reset: cookieValue }), reply().reply, 'reset'));
    const rotated = new FormTokens([current, older], { secure: false });
    expect(rotated.check(request({ sesame_form_reset: cookieValue }), 'reset', before)).toBe(true);
    const now = fieldOf(rotated.issue(request({ sesame_form_reset: cookieValue }), reply().reply, 'reset'));
    expect(now).toBe(fieldOf(new FormTokens(current, { secure: false }).issue(request({ sesame_form_reset: cookieValue }), reply().reply, 'reset')));
    expect(new FormTokens(current, { secure: false }).check(request({ sesame_form_reset: cookieValue }), 'reset', before)).toBe(false);
    expect(() => new FormTokens([], { secure: false })).toThrow('a form-token key needs at least 32 bytes');
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => new FormTokens(randomBytes(31), { secure: false })).toThrow('a form-token key needs at least 32 bytes');
    expect(() => new FormTokens(randomBytes(32), { secure: false })).not.toThrow();
  });
});
