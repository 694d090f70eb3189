import Fastify from 'fastify';
import { requireSession, sesamePlugin, sessionUser } from 'sesame-auth';

const app = Fastify();
await app.register(sesamePlugin, {
  prefix: '/auth',                                     // Sesame's routes: /auth/users, /auth/sessions, ...
  profile: 'development',                              // 'production' needs SECRET_KEY, PUBLIC_URL and a mailer
  settings: { DATABASE_URL: process.env.DATABASE_URL ?? 'sqlite:./data/auth.db' },
});

// Your own route, for signed-in people only: 403 {"message"} without a live session.
app.get('/dashboard', { preHandler: requireSession(app.sesame) }, async (request) => ({
  hello: sessionUser(request).email,
}));

process.once('SIGTERM', () => void app.close());      // also closes Sesame's database
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
console.log(`Listening on ${address}`);
