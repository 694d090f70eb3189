/**
 * The limit of the start-up rows (bench/startup.ts): the least a Fastify service can cost, a process that imports
 * Fastify, answers `GET /` and listens on `PORT`, started exactly as the server is so only Sesame's own weight differs.
 * @module
 */
import Fastify from 'fastify';

const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' });
