import { serve, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { createFetchHandler } from 'sesame-auth/fetch';

const sesame = await createFetchHandler({
  prefix: '/auth',                                     // the same path as the routes below
  profile: 'development',                              // 'production' needs SECRET_KEY, PUBLIC_URL and a mailer
  settings: { DATABASE_URL: process.env.DATABASE_URL ?? 'sqlite:./data/auth.db' },
});

// HttpBindings types c.env.incoming, Node's request: the peer's address counts for the rate limits.
const app = new Hono<{ Bindings: HttpBindings }>();
// /auth and everything under it; registered before any middleware that reads bodies.
app.all('/auth/*', (c) => sesame.handle(c.req.raw, { clientAddress: c.env.incoming.socket.remoteAddress }));

// Your own route, for signed-in people only.
app.get('/dashboard', async (c) => {
  const session = await sesame.getSession(c.req.raw.headers);
  return session === null ? c.json({ message: 'sign in first' }, 403) : c.json({ hello: session.user.email });
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`Listening on http://127.0.0.1:${info.port}`);
});
process.once('SIGTERM', () => server.close(() => void sesame.close()));
