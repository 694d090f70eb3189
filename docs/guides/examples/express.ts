import type { AddressInfo } from 'node:net';
import express from 'express';
import { createFetchHandler, toNodeHandler } from 'sesame-auth/fetch';

const sesame = await createFetchHandler({
  prefix: '/auth',                                     // the same path as app.use below
  profile: 'development',                              // 'production' needs SECRET_KEY, PUBLIC_URL and a mailer
  settings: { DATABASE_URL: process.env.DATABASE_URL ?? 'sqlite:./data/auth.db' },
});

const app = express();
app.use('/auth', toNodeHandler(sesame));               // first: Sesame reads its own request bodies
app.use(express.json());                               // your routes' body parser comes after it

// Your own route, for signed-in people only.
app.get('/dashboard', async (req, res) => {
  const session = await sesame.getSession(req.headers);
  if (session === null) res.status(403).json({ message: 'sign in first' });
  else res.json({ hello: session.user.email });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`Listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => server.close(() => void sesame.close()));
