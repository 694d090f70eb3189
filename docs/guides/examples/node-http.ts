import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFetchHandler, toNodeHandler } from 'sesame-auth/fetch';

const sesame = await createFetchHandler({
  prefix: '/auth',                                     // the paths handed to Sesame below
  profile: 'development',                              // 'production' needs SECRET_KEY, PUBLIC_URL and a mailer
  settings: { DATABASE_URL: process.env.DATABASE_URL ?? 'sqlite:./data/auth.db' },
});
const auth = toNodeHandler(sesame);                    // answers every request itself, never throws

/** Your own route, for signed-in people only. */
async function dashboard(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const session = await sesame.getSession(req.headers);
  res.writeHead(session === null ? 403 : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(session === null ? { message: 'sign in first' } : { hello: session.user.email }));
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/auth' || path.startsWith('/auth/')) auth(req, res);
  else if (path === '/dashboard' && req.method === 'GET') dashboard(req, res).catch(() => res.writeHead(500).end());
  else res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`Listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => server.close(() => void sesame.close()));
