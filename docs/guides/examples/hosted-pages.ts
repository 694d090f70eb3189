import Fastify from 'fastify';
import { optionalSession, sesamePlugin } from 'sesame-auth';

const app = Fastify();
await app.register(sesamePlugin, {
  prefix: '/auth',                                     // the pages: /auth/account/signup, /auth/account/login, ...
  profile: 'development',                              // 'production' needs SECRET_KEY, PUBLIC_URL and a mailer
  settings: { DATABASE_URL: process.env.DATABASE_URL ?? 'sqlite:./data/auth.db', PAGES_PRODUCT_NAME: 'Notes' },
});

/** Text made safe to put in HTML. */
const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Your own page: a signed-out visitor is sent to Sesame's sign-in page, which brings them back here.
app.get('/dashboard', { preHandler: optionalSession(app.sesame) }, async (request, reply) => {
  const user = request.sesameUser;
  if (user === undefined) return reply.redirect(`/auth/account/login?return_to=${encodeURIComponent('/dashboard')}`);
  return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><title>Notes</title>
<p>Signed in as ${escape(user.email)}. <a href="/auth/account/">Your account</a> · <a href="/auth/account/logout">Sign out</a></p>`);
});

process.once('SIGTERM', () => void app.close());      // also closes Sesame's database
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
console.log(`Listening on ${address}`);
