/**
 * The account's language (`POST /account/language`), posted by the account page's language form: the same service
 * as `PUT /profile/language` sets the language Sesame's messages use, and the page-language cookie is set to it too,
 * so the pages follow the choice at once (an earlier `?lang=` switch would otherwise keep them in its language).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { isLanguage } from '../../../modules/mail/index.js';
import { expiredForm, pageLink } from '../answers.js';
import { FORM_TOKEN_FIELD } from '../form-token.js';
import { html } from '../html.js';
import { rememberLanguage } from '../language.js';
import { sendPage, viewOf } from '../layout.js';
import type { AccountPagesDeps } from './deps.js';
import { LANGUAGE_FORM } from './forms.js';
import { accountSession, accountSessionCheck, signInFirst } from './guard.js';

/** Body of `POST /account/language`. */
interface LanguageBody {
  language?: string;
  form_token?: string;
}

/** Registers `POST /account/language`, and a `GET` that leads back to the account page (where the form is). */
export function languagePageRoutes(app: FastifyInstance, { site, sessions, cookie, email }: AccountPagesDeps): void {
  // Not a page: the sign-in page's `return_to` after a POST whose session had ended, or a reload, lands here by GET.
  app.get('/account/language', { schema: { hide: true } }, async (_request, reply) => reply.redirect('./', 303));

  app.post<{ Body: LanguageBody }>(
    '/account/language',
    {
      preHandler: accountSessionCheck(sessions, cookie.name),
      schema: {
        hide: true,
        body: {
          type: 'object',
          // Checked against the languages in the handler, after the form token, so a refusal is a page in words.
          properties: { language: { type: 'string', maxLength: 20 }, [FORM_TOKEN_FIELD]: { type: 'string', maxLength: 100 } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const session = accountSession(request);
      if (session === undefined) return signInFirst(request, reply);
      const view = viewOf(request, reply, site, session.user.language ?? undefined);
      const { t } = view;
      if (!site.forms.check(request, LANGUAGE_FORM, request.body.form_token)) return expiredForm(view);
      const language = request.body.language ?? '';
      if (!isLanguage(language)) {
        return sendPage(view, 400, t('refused.400'), html`<p>${t('account.badLanguage')}</p><p>${t('refused.nothingChanged')}</p><p>${pageLink('./', t('account.back'))}</p>`);
      }
      await email.setLanguage(session.user, language, requestContext(request));
      rememberLanguage(request, reply, language);
      return reply.redirect('./?done=language', 303);
    },
  );
}
