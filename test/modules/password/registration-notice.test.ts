/**
 * The notice a sign-up for a taken address sends its owner ("someone tried to register with your address"), as the
 * mail module writes it: word for word in English and French, links to the sign-in and forgotten-password pages
 * under the link base (mount prefix included) and nothing else, no token, no code, no button, HTML that escapes what
 * it is given, French typography, and English for a language Sesame does not write.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { registrationAttemptMessage, type Recipient } from '../../../src/modules/mail/messages/index.js';
import { TEXT_WIDTH } from '../../../src/modules/mail/messages/text.js';

const BASE = 'https://auth.example.com/auth';
const NB = '\u00a0';
const to = (language: string, address = 'jane.doe@example.org'): Recipient => ({ address, language });

describe('the registration-attempt notice', () => {
  it('in English, word for word', () => {
    const message = registrationAttemptMessage(to('en'), { baseUrl: BASE });
    expect(message.kind).toBe('registration_attempt');
    expect(message.recipient).toBe('jane.doe@example.org');
    expect(message.subject).toBe('Someone tried to sign up with your address');
    expect(message.text).toMatchInlineSnapshot(`
      "Someone (perhaps you) tried to create an account with jane.doe@example.org.
      This address already has an account, so no new account was created and yours
      did not change.

      If it was you, sign in to the account you already have:

      https://auth.example.com/auth/account/login

      If you do not remember its password, choose a new one here:

      https://auth.example.com/auth/account/forgot

      If it was not you, there is nothing to do: nobody can use your account
      without your password. This notice is sent at most once a day.

      -- 
      This message was sent to jane.doe@example.org about your account at
      auth.example.com.
      "
    `);
  });

  it('in French, word for word, with its typography', () => {
    const message = registrationAttemptMessage(to('fr'), { baseUrl: BASE });
    expect(message.subject).toBe('Quelqu’un a tenté de s’inscrire avec votre adresse');
    expect(message.text.replaceAll(NB, '⍽')).toMatchInlineSnapshot(`
      "Quelqu’un (vous, peut-être) a tenté de créer un compte avec
      jane.doe@example.org. Cette adresse a déjà un compte⍽: aucun nouveau compte
      n’a été créé et le vôtre n’a pas changé.

      Si c’était vous, connectez-vous au compte que vous avez déjà⍽:

      https://auth.example.com/auth/account/login

      Si vous ne vous souvenez plus de son mot de passe, choisissez-en un nouveau
      ici⍽:

      https://auth.example.com/auth/account/forgot

      Si ce n’était pas vous, vous n’avez rien à faire⍽: personne ne peut utiliser
      votre compte sans votre mot de passe. Cet avis est envoyé au plus une fois
      par jour.

      -- 
      Ce message a été envoyé à jane.doe@example.org au sujet de votre compte sur
      auth.example.com.
      "
    `);
    for (const part of [message.text, message.html ?? '']) {
      expect(part).not.toMatch(/ [:;!?»]/);
      expect(part).not.toContain("'");
    }
  });

  it('links to the two pages as plain links in both parts, and carries no token, code or button', () => {
    for (const language of ['en', 'fr']) {
      const message = registrationAttemptMessage(to(language), { baseUrl: BASE });
      const html = message.html ?? '';
      for (const page of ['login', 'forgot']) {
        const url = `${BASE}/account/${page}`;
        expect(message.text.split('\n')).toContain(url);
        expect(html).toContain(`<a href="${url}" style="color:#1d4ed8;word-break:break-all;">${url}</a>`);
      }
      expect((html.match(/https?:\/\/[^"<\s]*/g) ?? []).every((url) => url.startsWith(`${BASE}/account/`))).toBe(true);
      for (const part of [message.text, html]) {
        expect(part).not.toMatch(/token|\d{4}-\d{4}|<code|display:inline-block|<script|<img/);
      }
      expect(html).toContain(`<html lang="${language}">`);
      for (const line of message.text.split('\n')) if (line.includes(' ') && line !== '-- ') expect(line.length).toBeLessThanOrEqual(TEXT_WIDTH);
    }
  });

  it('escapes the address and the base URL in the HTML part', () => {
    const message = registrationAttemptMessage(to('en', 'a<b>"c@example.org'), { baseUrl: 'https://x.example/"><script>' });
    expect(message.html).not.toContain('<script>');
    expect(message.html).not.toContain('<b>');
    expect(message.html).toContain('a&lt;b&gt;&quot;c@example.org');
    expect(message.html).toContain('href="https://x.example/&quot;&gt;&lt;script&gt;/account/login"');
  });

  it('is in English for a language Sesame does not write', () => {
    for (const language of ['de', '', 'FR', 'fr-CA']) {
      expect(registrationAttemptMessage(to(language), { baseUrl: BASE }).text).toBe(registrationAttemptMessage(to('en'), { baseUrl: BASE }).text);
    }
  });
});
