// The messages Sesame mails (src/modules/mail/messages/): every kind in every language, with its subject, link and
// code where they belong and nowhere else, HTML that escapes whatever it is given, text whose URLs survive, and the
// helpers behind them (language negotiation, masking, dates, cleaning of attacker-chosen text).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewMessage } from '../../../src/modules/mail/store.js';
import { cleanUntrusted, formatDate, formatDuration, hostOf, MAX_UNTRUSTED_LENGTH } from '../../../src/modules/mail/messages/format.js';
import { escapeHtml } from '../../../src/modules/mail/messages/html.js';
import {
  confirmEmailChangeMessage,
  emailChangeNoticeMessage,
  isLanguage,
  LANGUAGES,
  type Language,
  maskAddress,
  negotiateLanguage,
  newSignInMessage,
  passwordChangedMessage,
  type Recipient,
  resetPasswordMessage,
  type TokenLink,
  verifyEmailMessage,
} from '../../../src/modules/mail/messages/index.js';
import { TEXT_WIDTH, wrap } from '../../../src/modules/mail/messages/text.js';

const BASE = 'https://auth.example.com';
const LINK: TokenLink = { baseUrl: BASE, token: 'tok/en+42=', code: '1234-5678', ttlMinutes: 30 };
const ENCODED_TOKEN = 'tok%2Fen%2B42%3D';
/** 30 November 2026, 07:46 UTC. */
const AT = Date.UTC(2026, 10, 30, 7, 46);
const DEVICE = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
const IP = '203.0.113.9';
const NB = '\u00a0';

const to = (language: string, address = 'jane.doe@example.org'): Recipient => ({ address, language });

/** One kind of message, built for a recipient, with what it must say. */
interface Kind {
  readonly kind: string;
  readonly build: (recipient: Recipient) => NewMessage;
  readonly subject: Readonly<Record<Language, string>>;
  /** The link it carries, if it is a link message. */
  readonly link?: string;
}

const KINDS: readonly Kind[] = [
  {
    kind: 'password_reset',
    build: (recipient) => resetPasswordMessage(recipient, LINK),
    subject: { en: 'Reset your password', fr: 'Réinitialisez votre mot de passe' },
    link: `${BASE}/account/reset?token=${ENCODED_TOKEN}`,
  },
  {
    kind: 'email_verify',
    build: (recipient) => verifyEmailMessage(recipient, LINK),
    subject: { en: 'Confirm your email address', fr: 'Confirmez votre adresse e-mail' },
    link: `${BASE}/account/verify?token=${ENCODED_TOKEN}`,
  },
  {
    kind: 'email_change_confirm',
    build: (recipient) => confirmEmailChangeMessage(recipient, LINK),
    subject: { en: 'Confirm your new email address', fr: 'Confirmez votre nouvelle adresse e-mail' },
    link: `${BASE}/account/verify?token=${ENCODED_TOKEN}`,
  },
  {
    kind: 'email_change_notice',
    build: (recipient) => emailChangeNoticeMessage(recipient, { baseUrl: BASE, newAddress: 'mallory@evil.example' }),
    subject: { en: 'Your email address is being changed', fr: 'Votre adresse e-mail va être modifiée' },
  },
  {
    kind: 'password_changed',
    build: (recipient) => passwordChangedMessage(recipient, { baseUrl: BASE, at: AT, how: 'change' }),
    subject: { en: 'Your password was changed', fr: 'Votre mot de passe a été modifié' },
  },
  {
    kind: 'new_sign_in',
    build: (recipient) => newSignInMessage(recipient, { baseUrl: BASE, at: AT, device: DEVICE, ip: IP }),
    subject: { en: 'New sign-in to your account', fr: 'Nouvelle connexion à votre compte' },
  },
];

const CASES = KINDS.flatMap((kind) => LANGUAGES.map((language) => ({ ...kind, language })));

/** `text` with its no-break spaces shown as ⍽, so the snapshots below show where French typography put them. */
const visible = (text: string | undefined): string => (text ?? '').replaceAll(NB, '⍽');

/** Occurrences of `needle` in `haystack`. */
const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

// Dates must come out in UTC whatever the machine's zone: run in one far from it (UTC+14), where a date formatted in
// local time would show another day.
const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Pacific/Kiritimati';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('every kind in every language', () => {
  it.each(CASES)('$kind in $language: kind, recipient, subject and a complete HTML document', ({ kind, build, subject, language }) => {
    const message = build(to(language));
    expect(message.kind).toBe(kind);
    expect(message.recipient).toBe('jane.doe@example.org');
    expect(message.subject).toBe(subject[language]);
    expect(message.channel).toBeUndefined();
    const html = message.html ?? '';
    expect(html.startsWith(`<!doctype html>\n<html lang="${language}">\n<head>\n<meta charset="utf-8">\n`)).toBe(true);
    expect(html).toContain(`<title>${escapeHtml(subject[language])}</title>`);
    expect(html).toMatch(new RegExp(`<h1 style="[^"]*">${escapeHtml(subject[language])}</h1>`));
    expect(html.endsWith('</body>\n</html>\n')).toBe(true);
    // Nothing that runs, loads or tracks.
    expect(html).not.toMatch(/<script|<img|<style|<link|<iframe|<object|\ssrc=|url\(|@import/i);
    // Every address in it is the service's own.
    for (const url of html.match(/https?:\/\/[^"<\s]*/g) ?? []) expect(url.startsWith(BASE)).toBe(true);
    expect(message.text.endsWith('\n')).toBe(true);
    expect(message.text).toContain(`\n\n-- \n`);
    expect(message.text).toContain('jane.doe@example.org');
    expect(html).toContain('jane.doe@example.org');
    expect(message.text).toContain('auth.example.com.');
  });

  it.each(CASES.filter((item) => item.link !== undefined))('$kind in $language: the link and the code, in both parts', ({ build, link, language }) => {
    const message = build(to(language));
    const html = message.html ?? '';
    const url = link ?? '';
    // The text part: the URL whole on its own line, the code on its own.
    expect(message.text.split('\n')).toContain(url);
    expect(message.text).toContain('\n\n    1234-5678\n\n');
    // The HTML part: a button and a bare link, both to the URL, and the code in a monospace block.
    expect(count(html, `<a href="${url}"`)).toBe(2);
    expect(html).toContain(`>${url}</a>`);
    expect(html).toMatch(/<a href="[^"]*" style="display:inline-block;[^"]*">[^<]+<\/a>/);
    expect(html).toMatch(/<code style="[^"]*monospace[^"]*">1234-5678<\/code>/);
    // How long it lasts, in both parts.
    expect(message.text).toContain('30 minutes');
    expect(html).toContain('30 minutes');
    // The token travels only inside the link.
    expect(count(message.text, ENCODED_TOKEN)).toBe(1);
    expect(count(html, ENCODED_TOKEN)).toBe(3);
    expect(html).not.toContain(LINK.token);
  });

  it.each(CASES.filter((item) => item.link === undefined))('$kind in $language: a notice carries no token, no code, only the service address', ({ build, language }) => {
    const message = build(to(language));
    const html = message.html ?? '';
    for (const part of [message.text, html]) {
      expect(part).not.toContain('token');
      expect(part).not.toContain('/account/');
      expect(part).not.toContain('1234-5678');
      expect(part).not.toContain('<code');
    }
    expect(message.text.split('\n')).toContain(BASE);
    expect(html).toContain(`<a href="${BASE}" style="color:#1d4ed8;word-break:break-all;">${BASE}</a>`);
    // No button: nothing in a notice needs clicking.
    expect(html).not.toContain('display:inline-block');
    expect(message.text).toContain(language === 'fr' ? `«${NB}Mot de passe oublié${NB}»` : '“Forgot password”');
  });

  it.each(CASES)('$kind in $language: text lines stay within 76 characters unless one word fills them', ({ build, language }) => {
    const { text } = build(to(language, 'a.rather.long.address.for.wrapping.purposes@example.org'));
    for (const line of text.split('\n')) {
      if (line.includes(' ') && line !== '-- ') expect(line.length).toBeLessThanOrEqual(TEXT_WIDTH);
    }
  });

  it.each(CASES.filter((item) => item.language === 'fr'))('$kind in French: French typography', ({ build }) => {
    const { text, html } = build(to('fr'));
    for (const part of [text, html ?? '']) {
      expect(part).not.toMatch(/ [:;!?»]/);
      expect(part).not.toMatch(/« /);
      expect(part).not.toContain("'");
      expect(part).toContain(`${NB}:`);
    }
  });

  it.each(KINDS)('$kind for an unknown or absent language is in English', ({ build, subject }) => {
    for (const language of ['de', '', 'FR', 'fr-CA', 'english']) {
      const message = build(to(language));
      expect(message.subject).toBe(subject.en);
      expect(message.html).toContain('<html lang="en">');
      expect(message.text).toBe(build(to('en')).text);
    }
  });
});

describe('the text parts, word for word', () => {
  const text = (kind: string, language: Language): string => {
    const found = KINDS.find((item) => item.kind === kind);
    if (found === undefined) throw new Error(kind);
    return visible(found.build(to(language)).text);
  };

  it('password_reset in English', () => {
    expect(text('password_reset', 'en')).toMatchInlineSnapshot(`
      "Someone (hopefully you) asked to reset the password of your account.

      To choose a new password, open this link:

      https://auth.example.com/account/reset?token=tok%2Fen%2B42%3D

      Or enter this code:

          1234-5678

      The link and the code work once, for 30 minutes.

      If you did not ask for this, ignore this message: your password stays as it
      is.

      -- 
      This message was sent to jane.doe@example.org about your account at
      auth.example.com.
      "
    `);
  });
  it('password_reset in French', () => {
    expect(text('password_reset', 'fr')).toMatchInlineSnapshot(`
      "Quelqu’un (vous, espérons-le) a demandé à réinitialiser le mot de passe de
      votre compte.

      Pour choisir un nouveau mot de passe, ouvrez ce lien⍽:

      https://auth.example.com/account/reset?token=tok%2Fen%2B42%3D

      Ou saisissez ce code⍽:

          1234-5678

      Le lien et le code sont valables 30 minutes et ne servent qu’une fois.

      Si vous n’êtes pas à l’origine de cette demande, ignorez ce message⍽: votre
      mot de passe reste inchangé.

      -- 
      Ce message a été envoyé à jane.doe@example.org au sujet de votre compte sur
      auth.example.com.
      "
    `);
  });
  it('email_verify in English', () => {
    expect(text('email_verify', 'en')).toMatchInlineSnapshot(`
      "Please confirm that jane.doe@example.org is your email address.

      To confirm it, open this link:

      https://auth.example.com/account/verify?token=tok%2Fen%2B42%3D

      Or enter this code:

          1234-5678

      The link and the code work once, for 30 minutes.

      If you did not ask for this, ignore this message: nothing changes and the
      address stays unconfirmed.

      -- 
      This message was sent to jane.doe@example.org about your account at
      auth.example.com.
      "
    `);
  });
  it('email_verify in French', () => {
    expect(text('email_verify', 'fr')).toMatchInlineSnapshot(`
      "Merci de confirmer que jane.doe@example.org est bien votre adresse e-mail.

      Pour la confirmer, ouvrez ce lien⍽:

      https://auth.example.com/account/verify?token=tok%2Fen%2B42%3D

      Ou saisissez ce code⍽:

          1234-5678

      Le lien et le code sont valables 30 minutes et ne servent qu’une fois.

      Si vous n’êtes pas à l’origine de cette demande, ignorez ce message⍽: rien
      ne change et l’adresse reste non confirmée.

      -- 
      Ce message a été envoyé à jane.doe@example.org au sujet de votre compte sur
      auth.example.com.
      "
    `);
  });
  it('email_change_confirm in English', () => {
    expect(text('email_change_confirm', 'en')).toMatchInlineSnapshot(`
      "Someone (hopefully you) asked to change the email address of an account to
      jane.doe@example.org.

      To confirm the change, open this link:

      https://auth.example.com/account/verify?token=tok%2Fen%2B42%3D

      Or enter this code:

          1234-5678

      The link and the code work once, for 30 minutes.

      If you did not ask for this, ignore this message: the account keeps its
      current address.

      -- 
      This message was sent to jane.doe@example.org about your account at
      auth.example.com.
      "
    `);
  });
  it('email_change_confirm in French', () => {
    expect(text('email_change_confirm', 'fr')).toMatchInlineSnapshot(`
      "Quelqu’un (vous, espérons-le) a demandé à remplacer l’adresse e-mail d’un
      compte par jane.doe@example.org.

      Pour confirmer ce changement, ouvrez ce lien⍽:

      https://auth.example.com/account/verify?token=tok%2Fen%2B42%3D

      Ou saisissez ce code⍽:

          1234-5678

      Le lien et le code sont valables 30 minutes et ne servent qu’une fois.

      Si vous n’êtes pas à l’origine de cette demande, ignorez ce message⍽: le
      compte garde son adresse actuelle.

      -- 
      Ce message a été envoyé à jane.doe@example.org au sujet de votre compte sur
      auth.example.com.
      "
    `);
  });
  it('email_change_notice in English', () => {
    expect(text('email_change_notice', 'en')).toMatchInlineSnapshot(`
      "Someone (hopefully you) asked to change the email address of your account to
      m***@evil.example. The change takes effect only once the new address is
      confirmed.

      If it was you, there is nothing to do.

      If it was not you, someone may know your password: reset it now, before the
      new address is confirmed.

      Go to this address and choose “Forgot password”:

      https://auth.example.com

      -- 
      This message was sent to jane.doe@example.org about your account at
      auth.example.com.
      "
    `);
  });
  it('email_change_notice in French', () => {
    expect(text('email_change_notice', 'fr')).toMatchInlineSnapshot(`
      "Quelqu’un (vous, espérons-le) a demandé à remplacer l’adresse e-mail de
      votre compte par m***@evil.example. Le changement ne prendra effet qu’une
      fois la nouvelle adresse confirmée.

      Si c’est bien vous, vous n’avez rien à faire.

      Si ce n’est pas vous, quelqu’un connaît peut-être votre mot de passe⍽:
      réinitialisez-le dès maintenant, avant que la nouvelle adresse ne soit
      confirmée.

      Rendez-vous à cette adresse et choisissez «⍽Mot de passe oublié⍽»⍽:

      https://auth.example.com

      -- 
      Ce message a été envoyé à jane.doe@example.org au sujet de votre compte sur
      auth.example.com.
      "
    `);
  });
  it('password_changed in English', () => {
    expect(text('password_changed', 'en')).toMatchInlineSnapshot(`
      "The password of your account was changed on 30 November 2026, 07:46 UTC.

      If it was you, there is nothing to do.

      If it was not you, someone else has access to your account: reset your
      password now.

      Go to this address and choose “Forgot password”:

      https://auth.example.com

      -- 
      This message was sent to jane.doe@example.org about your account at
      auth.example.com.
      "
    `);
  });
  it('password_changed in French', () => {
    expect(text('password_changed', 'fr')).toMatchInlineSnapshot(`
      "Le mot de passe de votre compte a été modifié le 30 novembre 2026, 07:46
      UTC.

      Si c’est bien vous, vous n’avez rien à faire.

      Si ce n’est pas vous, quelqu’un d’autre a accès à votre compte⍽:
      réinitialisez votre mot de passe dès maintenant.

      Rendez-vous à cette adresse et choisissez «⍽Mot de passe oublié⍽»⍽:

      https://auth.example.com

      -- 
      Ce message a été envoyé à jane.doe@example.org au sujet de votre compte sur
      auth.example.com.
      "
    `);
  });
  it('new_sign_in in English', () => {
    expect(text('new_sign_in', 'en')).toMatchInlineSnapshot(`
      "Someone signed in to your account:

      When: 30 November 2026, 07:46 UTC
      Device: Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101
          Firefox/132.0
      IP address: 203.0.113.9

      If it was you, there is nothing to do.

      If it was not you, someone knows your password: reset it now.

      Go to this address and choose “Forgot password”:

      https://auth.example.com

      -- 
      This message was sent to jane.doe@example.org about your account at
      auth.example.com.
      "
    `);
  });
  it('new_sign_in in French', () => {
    expect(text('new_sign_in', 'fr')).toMatchInlineSnapshot(`
      "Quelqu’un s’est connecté à votre compte⍽:

      Date⍽: 30 novembre 2026, 07:46 UTC
      Appareil⍽: Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101
          Firefox/132.0
      Adresse IP⍽: 203.0.113.9

      Si c’est bien vous, vous n’avez rien à faire.

      Si ce n’est pas vous, quelqu’un connaît votre mot de passe⍽:
      réinitialisez-le dès maintenant.

      Rendez-vous à cette adresse et choisissez «⍽Mot de passe oublié⍽»⍽:

      https://auth.example.com

      -- 
      Ce message a été envoyé à jane.doe@example.org au sujet de votre compte sur
      auth.example.com.
      "
    `);
  });

  it('a reset password notice says it was a reset, in each language', () => {
    const en = passwordChangedMessage(to('en'), { baseUrl: BASE, at: AT, how: 'reset' });
    expect(en.text).toContain('The password of your account was reset on 30 November 2026, 07:46 UTC, with\na link or code sent to this address.\n');
    expect(en.html).toContain('The password of your account was reset on 30 November 2026, 07:46 UTC, with a link or code sent to this address.');
    const fr = passwordChangedMessage(to('fr'), { baseUrl: BASE, at: AT, how: 'reset' });
    expect(fr.html).toContain(
      'Le mot de passe de votre compte a été réinitialisé le 30 novembre 2026, 07:46 UTC, à l’aide d’un lien ou d’un code envoyé à cette adresse.',
    );
    expect(fr.subject).toBe('Votre mot de passe a été modifié');
  });
});

describe('the HTML parts, whole', () => {
  it('a link message: paragraphs, button, bare link, code block, footer', () => {
    expect(visible(resetPasswordMessage(to('en'), LINK).html)).toMatchInlineSnapshot(`
      "<!doctype html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>Reset your password</title>
      </head>
      <body style="margin:0;padding:0;background-color:#f4f4f5;">
      <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f4f5;"><tr><td align="center" style="padding:24px 12px;">
      <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background-color:#ffffff;border:1px solid #e4e4e7;border-radius:8px;"><tr><td style="padding:32px;font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#18181b;">
      <h1 style="margin:0 0 24px;font-size:22px;line-height:1.3;font-weight:600;color:#18181b;">Reset your password</h1>
      <p style="margin:0 0 16px;">Someone (hopefully you) asked to reset the password of your account.</p>
      <p style="margin:24px 0;"><a href="https://auth.example.com/account/reset?token=tok%2Fen%2B42%3D" style="display:inline-block;padding:12px 24px;background-color:#1d4ed8;color:#ffffff;font-weight:600;text-decoration:none;border-radius:6px;">Choose a new password</a></p>
      <p style="margin:0 0 16px;font-size:14px;color:#52525b;">If the button does not work, copy this address into your browser:<br><a href="https://auth.example.com/account/reset?token=tok%2Fen%2B42%3D" style="color:#1d4ed8;word-break:break-all;">https://auth.example.com/account/reset?token=tok%2Fen%2B42%3D</a></p>
      <p style="margin:0 0 16px;">Or enter this code:</p>
      <p style="margin:0 0 16px;"><code style="display:inline-block;padding:8px 16px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,Liberation Mono,monospace;font-size:20px;letter-spacing:2px;background-color:#f4f4f5;border:1px solid #e4e4e7;border-radius:6px;color:#18181b;">1234-5678</code></p>
      <p style="margin:0 0 16px;">The link and the code work once, for 30 minutes.</p>
      <p style="margin:0 0 16px;">If you did not ask for this, ignore this message: your password stays as it is.</p>
      <p style="margin:24px 0 0;padding-top:16px;border-top:1px solid #e4e4e7;font-size:12px;color:#71717a;">This message was sent to jane.doe@example.org about your account at auth.example.com.</p>
      </td></tr></table>
      </td></tr></table>
      </body>
      </html>
      "
    `);
  });
  it('a notice: details table and plain link', () => {
    expect(visible(newSignInMessage(to('fr'), { baseUrl: BASE, at: AT, device: DEVICE, ip: IP }).html)).toMatchInlineSnapshot(`
      "<!doctype html>
      <html lang="fr">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>Nouvelle connexion à votre compte</title>
      </head>
      <body style="margin:0;padding:0;background-color:#f4f4f5;">
      <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f4f5;"><tr><td align="center" style="padding:24px 12px;">
      <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background-color:#ffffff;border:1px solid #e4e4e7;border-radius:8px;"><tr><td style="padding:32px;font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#18181b;">
      <h1 style="margin:0 0 24px;font-size:22px;line-height:1.3;font-weight:600;color:#18181b;">Nouvelle connexion à votre compte</h1>
      <p style="margin:0 0 16px;">Quelqu’un s’est connecté à votre compte⍽:</p>
      <table role="presentation" style="margin:0 0 16px;border-collapse:collapse;">
      <tr><td style="padding:4px 16px 4px 0;vertical-align:top;color:#52525b;white-space:nowrap;">Date</td><td style="padding:4px 0;vertical-align:top;word-break:break-all;">30 novembre 2026, 07:46 UTC</td></tr>
      <tr><td style="padding:4px 16px 4px 0;vertical-align:top;color:#52525b;white-space:nowrap;">Appareil</td><td style="padding:4px 0;vertical-align:top;word-break:break-all;">Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0</td></tr>
      <tr><td style="padding:4px 16px 4px 0;vertical-align:top;color:#52525b;white-space:nowrap;">Adresse IP</td><td style="padding:4px 0;vertical-align:top;word-break:break-all;">203.0.113.9</td></tr>
      </table>
      <p style="margin:0 0 16px;">Si c’est bien vous, vous n’avez rien à faire.</p>
      <p style="margin:0 0 16px;">Si ce n’est pas vous, quelqu’un connaît votre mot de passe⍽: réinitialisez-le dès maintenant.</p>
      <p style="margin:0 0 16px;">Rendez-vous à cette adresse et choisissez «⍽Mot de passe oublié⍽»⍽:<br><a href="https://auth.example.com" style="color:#1d4ed8;word-break:break-all;">https://auth.example.com</a></p>
      <p style="margin:24px 0 0;padding-top:16px;border-top:1px solid #e4e4e7;font-size:12px;color:#71717a;">Ce message a été envoyé à jane.doe@example.org au sujet de votre compte sur auth.example.com.</p>
      </td></tr></table>
      </td></tr></table>
      </body>
      </html>
      "
    `);
  });
});

describe('HTML escaping', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml('plain text, é')).toBe('plain text, é');
  });

  it('a device that is a script is shown, not run', () => {
    const message = newSignInMessage(to('en'), { baseUrl: BASE, at: AT, device: '<script>alert(1)</script>', ip: '<b>1.2.3.4</b>' });
    expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message.html).toContain('&lt;b&gt;1.2.3.4&lt;/b&gt;');
    expect(message.html).not.toContain('<script');
    expect(message.html).not.toContain('<b>');
    // The text part is plain text: shown as sent.
    expect(message.text).toContain('Device: <script>alert(1)</script>\n');
    expect(message.text).toContain('IP address: <b>1.2.3.4</b>\n');
  });

  it.each(KINDS)('$kind escapes an address with "<>&', ({ build }) => {
    const address = '"a<b>&c"@example.org';
    const message = build(to('en', address));
    expect(message.recipient).toBe(address);
    expect(message.html).toContain('&quot;a&lt;b&gt;&amp;c&quot;@example.org');
    expect(message.html).not.toContain(address);
    expect(message.html).not.toContain('<b>');
    expect(message.text).toContain(address);
  });

  it('the masked new address of a notice is escaped too', () => {
    const message = emailChangeNoticeMessage(to('en'), { baseUrl: BASE, newAddress: '"<x>&y"@ex<a>mple.org' });
    expect(message.html).toContain('&quot;***@ex&lt;a&gt;mple.org');
    expect(message.html).not.toContain('<a>');
    expect(message.text).toContain('"***@ex<a>mple.org');
    expect(message.text).not.toContain('<x>');
  });

  it('attribute values are escaped: a base URL cannot break out of href', () => {
    const baseUrl = `https://auth.example.com/a"b'c<d>`;
    const link = resetPasswordMessage(to('en'), { ...LINK, baseUrl });
    expect(link.html).toContain(`<a href="https://auth.example.com/a&quot;b&#39;c&lt;d&gt;/account/reset?token=${ENCODED_TOKEN}" style=`);
    expect(link.html).not.toContain('a"b');
    const notice = passwordChangedMessage(to('en'), { baseUrl, at: AT, how: 'change' });
    expect(notice.html).toContain('<a href="https://auth.example.com/a&quot;b&#39;c&lt;d&gt;" style=');
    expect(notice.html).not.toContain('a"b');
  });

  it('the code is escaped', () => {
    const message = verifyEmailMessage(to('en'), { ...LINK, code: '<i>1</i>' });
    expect(message.html).toContain('>&lt;i&gt;1&lt;/i&gt;</code>');
    expect(message.text).toContain('\n    <i>1</i>\n');
  });
});

describe('links in the text part', () => {
  const longBase = `https://auth.example.com/${'tenant-'.repeat(20)}x`;
  const longLink: TokenLink = { ...LINK, baseUrl: longBase, token: 'T'.repeat(120) };

  it.each([
    ['password_reset', resetPasswordMessage, '/account/reset'],
    ['email_verify', verifyEmailMessage, '/account/verify'],
    ['email_change_confirm', confirmEmailChangeMessage, '/account/verify'],
  ] as const)('%s: a URL far longer than a line stays whole on one line', (_kind, build, path) => {
    for (const language of LANGUAGES) {
      const message = build(to(language), longLink);
      const url = `${longBase}${path}?token=${'T'.repeat(120)}`;
      expect(url.length).toBeGreaterThan(3 * TEXT_WIDTH);
      expect(message.text.split('\n')).toContain(url);
      expect(message.html).toContain(`>${url}</a>`);
    }
  });

  it('a notice: the long service address stays whole too', () => {
    for (const language of LANGUAGES) {
      const message = passwordChangedMessage(to(language), { baseUrl: longBase, at: AT, how: 'change' });
      expect(message.text.split('\n')).toContain(longBase);
    }
  });

  it('the token is URL-encoded in the link', () => {
    const message = resetPasswordMessage(to('en'), { ...LINK, token: 'a b&c=d?e/f' });
    expect(message.text.split('\n')).toContain(`${BASE}/account/reset?token=a%20b%26c%3Dd%3Fe%2Ff`);
  });
});

describe('wrap', () => {
  it('fills lines up to the width, exactly', () => {
    expect(wrap('aa bb', 5)).toBe('aa bb');
    expect(wrap('aa bb', 4)).toBe('aa\nbb');
    expect(wrap('a b c d e', 3)).toBe('a b\nc d\ne');
  });
  it('puts a word longer than the line on a line of its own, unbroken', () => {
    expect(wrap('a verylongword b', 4)).toBe('a\nverylongword\nb');
    expect(wrap('verylongword', 4)).toBe('verylongword');
  });
  it('indents every line after the first when asked', () => {
    expect(wrap('aa bb cc dd', 5, '  ')).toBe('aa bb\n  cc\n  dd');
    expect(wrap('aa verylongword', 5, '  ')).toBe('aa\n  verylongword');
    expect(wrap('aa bb', 5, '  ')).toBe('aa bb');
  });
  it('ignores runs of spaces and keeps non-breaking ones', () => {
    expect(wrap('  a   b  ', 10)).toBe('a b');
    expect(wrap(`aa bb${NB}:`, 5)).toBe(`aa\nbb${NB}:`);
    expect(wrap('')).toBe('');
  });
  it('wraps at 76 characters by default', () => {
    expect(TEXT_WIDTH).toBe(76);
    const line = `${'x'.repeat(37)} ${'y'.repeat(38)}`;
    expect(wrap(line)).toBe(line);
    expect(wrap(`${line}y`)).toBe(`${'x'.repeat(37)}\n${'y'.repeat(39)}`);
  });
});

describe('new sign-in details', () => {
  const signIn = (language: string, device: string | undefined, ip: string | undefined): NewMessage =>
    newSignInMessage(to(language), { baseUrl: BASE, at: AT, device, ip });

  const SHORT = 'Firefox/132.0 on Linux';

  it('lists when, device and IP in each language', () => {
    const en = signIn('en', SHORT, IP);
    expect(en.text).toContain(`\n\nWhen: 30 November 2026, 07:46 UTC\nDevice: ${SHORT}\nIP address: ${IP}\n\n`);
    expect(en.html).toMatch(/<td style="[^"]*">Device<\/td><td style="[^"]*">Firefox\/132\.0 on Linux<\/td>/);
    const fr = signIn('fr', SHORT, IP);
    expect(fr.text).toContain(`\n\nDate${NB}: 30 novembre 2026, 07:46 UTC\nAppareil${NB}: ${SHORT}\nAdresse IP${NB}: ${IP}\n\n`);
    expect(fr.html).toMatch(/<td style="[^"]*">Adresse IP<\/td><td style="[^"]*">203\.0\.113\.9<\/td>/);
  });

  it('wraps a long value with its continuation lines indented, so none passes for a row', () => {
    const message = signIn('en', DEVICE, IP);
    expect(message.text).toContain('\nDevice: Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101\n    Firefox/132.0\nIP address: ');
    expect(message.html).toContain(`>${DEVICE}</td>`);
  });

  it('leaves out the device line when there is no device, and the IP line when there is no IP', () => {
    const noDevice = signIn('en', undefined, IP);
    expect(noDevice.text).not.toContain('Device');
    expect(noDevice.html).not.toContain('Device');
    expect(noDevice.text).toContain(`When: 30 November 2026, 07:46 UTC\nIP address: ${IP}\n`);
    const noIp = signIn('fr', SHORT, undefined);
    expect(noIp.text).not.toContain('Adresse IP');
    expect(noIp.html).not.toContain('Adresse IP');
    expect(noIp.text).toContain(`Appareil${NB}: ${SHORT}\n\n`);
    const neither = signIn('en', undefined, undefined);
    expect(neither.text).toContain('When: 30 November 2026, 07:46 UTC\n\n');
    expect(count(neither.html ?? '', '</td><td ')).toBe(1);
  });

  it('leaves out a line whose value is nothing but control characters or spaces', () => {
    const message = signIn('en', '\u0000\r\n \u202e', ' ');
    expect(message.text).not.toContain('Device');
    expect(message.text).not.toContain('IP address');
  });

  it('strips control characters so a device cannot forge lines, and cuts it to 200 characters in both parts', () => {
    const forged = signIn('en', `Evil\r\nIP address: 10.0.0.1\u0000\u202egnp.exe\t${'z'.repeat(300)}`, IP);
    const cleaned = `Evil IP address: 10.0.0.1gnp.exe ${'z'.repeat(167)}`;
    expect(cleaned.length).toBe(200);
    expect(forged.text).toContain(`\nDevice: Evil IP address: 10.0.0.1gnp.exe\n    ${'z'.repeat(167)}\nIP address: ${IP}\n`);
    expect(forged.text).not.toContain('\nIP address: 10.0.0.1');
    expect(forged.html).toContain(`>${cleaned}</td>`);
    expect(forged.html).not.toContain('z'.repeat(168));
  });
});

describe('cleanUntrusted', () => {
  it('passes ordinary text unchanged and undefined through', () => {
    expect(cleanUntrusted(DEVICE)).toBe(DEVICE);
    expect(cleanUntrusted(undefined)).toBeUndefined();
  });
  it('turns whitespace runs into one space and trims', () => {
    expect(cleanUntrusted('  a\r\n\tb \u2028 c  ')).toBe('a b c');
  });
  it('drops control and direction-changing characters', () => {
    for (const character of ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b', '\u200e', '\u200f', '\u202a', '\u202d', '\u202e', '\u2066', '\u2067', '\u2069']) {
      expect(cleanUntrusted(`a${character}b`), JSON.stringify(character)).toBe('ab');
    }
    expect(cleanUntrusted('é😀b')).toBe('é😀b');
  });
  it('cuts to 200 UTF-16 units without splitting a character', () => {
    expect(MAX_UNTRUSTED_LENGTH).toBe(200);
    expect(cleanUntrusted('a'.repeat(200))).toBe('a'.repeat(200));
    expect(cleanUntrusted('a'.repeat(201))).toBe('a'.repeat(200));
    expect(cleanUntrusted(`${'a'.repeat(198)}😀`)).toBe(`${'a'.repeat(198)}😀`);
    expect(cleanUntrusted(`${'a'.repeat(199)}😀b`)).toBe('a'.repeat(199));
  });
  it('does not end on a space where the cut fell', () => {
    expect(cleanUntrusted(`${'a'.repeat(199)} bcd`)).toBe('a'.repeat(199));
  });
  it('is undefined when nothing is left', () => {
    expect(cleanUntrusted('')).toBeUndefined();
    expect(cleanUntrusted(' \u0000\t\u202e ')).toBeUndefined();
  });
});

describe('negotiateLanguage', () => {
  it.each([
    // What browsers send.
    ['fr-CA,fr;q=0.9,en;q=0.8', 'fr'],
    ['en-US,en;q=0.9,fr;q=0.8', 'en'],
    ['fr', 'fr'],
    ['en', 'en'],
    ['fr-FR', 'fr'],
    ['de-DE,de;q=0.9,fr;q=0.5,en;q=0.4', 'fr'],
    ['de-DE,de;q=0.9,en;q=0.5,fr;q=0.4', 'en'],
    // q-values decide, not order.
    ['en;q=0.4,fr;q=0.5', 'fr'],
    ['fr;q=0.4,en;q=0.5', 'en'],
    ['fr;q=0.001,de', 'fr'],
    ['fr;q=1.000,en;q=0.999', 'fr'],
    // On a tie, the earlier-listed.
    ['fr;q=0.5,en;q=0.5', 'fr'],
    ['en;q=0.5,fr;q=0.5', 'en'],
    ['fr,en', 'fr'],
    // Regional ranges: the best of them, unless the bare tag is there to say it.
    ['fr-CA', 'fr'],
    ['fr-CA;q=0.1,fr-BE;q=0.9,en;q=0.5', 'fr'],
    ['fr-BE;q=0.9,fr-CA;q=0.1,en;q=0.5', 'fr'],
    ['fr-CA;q=0.5,en;q=0.5,fr-BE;q=0.5', 'fr'],
    ['fr-CA;q=0.9,fr;q=0.1,en;q=0.5', 'en'],
    ['fr-CA;q=0.9,fr;q=0', 'en'],
    ['en-GB;q=0.2,fr;q=0.1', 'en'],
    ['zh-Hant-TW,fr-ca-x-private;q=0.5', 'fr'],
    // Case does not matter.
    ['FR-ca', 'fr'],
    ['EN;Q=0.5,Fr;q=0.4', 'en'],
    // q=0 means "not this".
    ['fr;q=0', 'en'],
    ['fr;q=0,en;q=0.1', 'en'],
    ['en;q=0,fr;q=0.1', 'fr'],
    ['en;q=0.000,fr;q=0.001', 'fr'],
    ['en;q=0,fr;q=0', 'en'],
    // The wildcard stands for every language not named.
    ['*', 'en'],
    ['de,*;q=0.1', 'en'],
    ['*;q=0.5,fr', 'fr'],
    ['en;q=0,*', 'fr'],
    ['fr;q=0,*', 'en'],
    ['*;q=0,fr;q=0.2', 'fr'],
    // Nothing of ours, nothing at all.
    [undefined, 'en'],
    ['', 'en'],
    ['de', 'en'],
    ['de-CH,it;q=0.5', 'en'],
    // Whitespace where RFC 9110 allows it.
    [' fr ; q = 0.7 , en;q=0.6', 'fr'],
    ['fr;level=1,en;q=0.5', 'fr'],
    ['fr;aq=1,en;q=0.5', 'fr'],
    ['fr;qq=1,en;q=0.5', 'fr'],
    // Junk: a malformed entry is skipped, the rest still counts, nothing throws.
    ['fr;q=abc,en;q=0.1', 'en'],
    ['fr;q=2,en;q=0.1', 'en'],
    ['fr;q=1.5,en;q=0.1', 'en'],
    ['fr;q=1.001,en;q=0.1', 'en'],
    ['fr;q=0.1234,en;q=0.1', 'en'],
    ['fr;q=.5,en;q=0.1', 'en'],
    ['fr;q=-1,en;q=0.1', 'en'],
    ['fr;q=,en;q=0.1', 'en'],
    ['fr;q =abc,en;q=0.1', 'en'],
    ['fr_FR', 'en'],
    ['fr-', 'en'],
    ['fr-ca x', 'en'],
    ['fr-abcdefghi', 'en'],
    ['fr-abcdefgh', 'fr'],
    ['😀,fr', 'fr'],
    [';;;,,,', 'en'],
    ['q=0.5', 'en'],
    ['\u0000fr', 'en'],
  ] as const)('%j → %s', (header, expected) => {
    expect(negotiateLanguage(header)).toBe(expected);
  });

  it('ignores a header over 1000 characters, and reads one of exactly 1000', () => {
    const exactly = `fr,${'x'.repeat(997)}`;
    expect(exactly.length).toBe(1000);
    expect(negotiateLanguage(exactly)).toBe('fr');
    expect(negotiateLanguage(`${exactly}x`)).toBe('en');
    expect(negotiateLanguage(`fr;q=0.9,${' '.repeat(5000)}`)).toBe('en');
  });

  it('never throws on garbage', () => {
    for (const header of ['\u0000', ',', ';', '=', 'q', '*;q=', '\ud800', 'fr;q=1;q=0;q=0.5', 'a'.repeat(999)]) {
      expect(() => negotiateLanguage(header)).not.toThrow();
      expect(LANGUAGES).toContain(negotiateLanguage(header));
    }
  });
});

describe('isLanguage and LANGUAGES', () => {
  it('lists English first, then French', () => {
    expect(LANGUAGES).toEqual(['en', 'fr']);
  });
  it('accepts exactly the languages with wording', () => {
    expect(isLanguage('en')).toBe(true);
    expect(isLanguage('fr')).toBe(true);
    for (const value of ['FR', 'fr-CA', 'de', '', 'e', 'english', 'constructor']) expect(isLanguage(value), value).toBe(false);
  });
});

describe('maskAddress', () => {
  it.each([
    ['jane.doe@example.org', 'j***@example.org'],
    ['a@b.c', 'a***@b.c'],
    ['@example.org', '***@example.org'],
    ['"a@b"@example.org', '"***@example.org'],
    ['😀x@example.org', '😀***@example.org'],
    ['no-at-sign', '***'],
    ['', '***'],
  ])('%s → %s', (address, masked) => {
    expect(maskAddress(address)).toBe(masked);
  });

  it('is what the email change notice shows, in each language', () => {
    const en = emailChangeNoticeMessage(to('en'), { baseUrl: BASE, newAddress: 'john.smith@example.net' });
    expect(en.text).toContain('j***@example.net');
    expect(en.html).toContain('j***@example.net');
    expect(en.text).not.toContain('john.smith');
    const fr = emailChangeNoticeMessage(to('fr'), { baseUrl: BASE, newAddress: 'john.smith@example.net' });
    expect(fr.html).toContain('par j***@example.net.');
    expect(fr.html).not.toContain('john.smith');
  });
});

describe('dates and durations', () => {
  it.each([
    [AT, '30 November 2026, 07:46 UTC', '30 novembre 2026, 07:46 UTC'],
    [Date.UTC(2026, 11, 31, 23, 30), '31 December 2026, 23:30 UTC', '31 décembre 2026, 23:30 UTC'],
    [Date.UTC(2027, 0, 1, 0, 5), '1 January 2027, 00:05 UTC', '1er janvier 2027, 00:05 UTC'],
    [Date.UTC(2027, 2, 11, 17, 0), '11 March 2027, 17:00 UTC', '11 mars 2027, 17:00 UTC'],
    [Date.UTC(2027, 7, 21, 12, 59), '21 August 2027, 12:59 UTC', '21 août 2027, 12:59 UTC'],
  ])('%d is %s / %s, in UTC whatever the local zone', (at, english, french) => {
    expect(process.env.TZ).toBe('Pacific/Kiritimati');
    expect(formatDate(at, 'en')).toBe(english);
    expect(formatDate(at, 'fr')).toBe(french);
  });

  it('the notices show the date in the reader language', () => {
    const at = Date.UTC(2026, 11, 31, 23, 30);
    expect(passwordChangedMessage(to('en'), { baseUrl: BASE, at, how: 'change' }).text).toContain('changed on 31 December 2026, 23:30 UTC.');
    expect(passwordChangedMessage(to('fr'), { baseUrl: BASE, at, how: 'change' }).html).toContain('modifié le 31 décembre 2026, 23:30 UTC.');
    expect(newSignInMessage(to('fr'), { baseUrl: BASE, at, device: undefined, ip: undefined }).html).toContain('>31 décembre 2026, 23:30 UTC</td>');
  });

  it.each([
    [1, '1 minute', '1 minute'],
    [30, '30 minutes', '30 minutes'],
    [59, '59 minutes', '59 minutes'],
    [60, '1 hour', '1 heure'],
    [90, '90 minutes', '90 minutes'],
    [120, '2 hours', '2 heures'],
    [1440, '24 hours', '24 heures'],
    [0, '0 minutes', '0 minute'],
  ])('%d minutes read "%s" / "%s"', (minutes, english, french) => {
    expect(formatDuration(minutes, 'en')).toBe(english);
    expect(formatDuration(minutes, 'fr')).toBe(french);
  });

  it('link messages say how long they last in words', () => {
    const day = verifyEmailMessage(to('fr'), { ...LINK, ttlMinutes: 1440 });
    expect(day.text).toContain('Le lien et le code sont valables 24 heures et ne servent qu’une fois.');
    expect(day.html).toContain('Le lien et le code sont valables 24 heures et ne servent qu’une fois.');
    const hour = resetPasswordMessage(to('en'), { ...LINK, ttlMinutes: 60 });
    expect(hour.text).toContain('The link and the code work once, for 1 hour.');
  });
});

describe('hostOf', () => {
  it('names the service by host, port included', () => {
    expect(hostOf('https://auth.example.com:8443/base')).toBe('auth.example.com:8443');
    expect(hostOf('not a url')).toBe('not a url');
    expect(verifyEmailMessage(to('en'), { ...LINK, baseUrl: 'https://id.example.net/sesame' }).text).toContain('about your account at\nid.example.net.\n');
  });
});

describe('message sizes', () => {
  it('every message, subject and both parts, stays under 8 KB', () => {
    const rows: string[] = ['kind                  lang   text B   html B   total B'];
    for (const { kind, build, language } of CASES) {
      const message = build(to(language));
      const text = Buffer.byteLength(message.text, 'utf8');
      const html = Buffer.byteLength(message.html ?? '', 'utf8');
      const total = Buffer.byteLength(message.subject, 'utf8') + text + html;
      rows.push(`${kind.padEnd(22)}${language.padEnd(7)}${String(text).padStart(6)}   ${String(html).padStart(6)}   ${String(total).padStart(7)}`);
      expect(text).toBeGreaterThan(200);
      expect(html).toBeGreaterThan(text);
      expect(total).toBeLessThan(8 * 1024);
    }
    console.log(rows.join('\n'));
  });
});
