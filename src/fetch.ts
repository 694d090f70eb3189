/**
 * `sesame-auth/fetch`: Sesame for any Node framework (Express, Hono, Next.js route handlers, `node:http`): a web-standard
 * `(Request) => Promise<Response>` handler serving the same routes as the Fastify plugin, `getSession(headers)` for a
 * host's own routes, and `toNodeHandler` for frameworks on Node's request and response objects.
 * @packageDocumentation
 */
export { createFetchHandler, type FetchHandlerOptions, type SesameFetchHandler, type ConnectionInfo, type HostSession } from './surfaces/fetch/handler.js';
export { toNodeHandler, type NodeHandler } from './surfaces/fetch/node.js';
export * from './index.js';
