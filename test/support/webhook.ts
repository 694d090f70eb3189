/**
 * A tiny local HTTP server standing in for the operator's mailer: it records every JSON body posted to it, so tests
 * can check what the reset webhook delivered (and that nothing was delivered for an unknown email).
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One delivery as the webhook received it. */
export interface Delivery {
  /** The request path. */
  readonly path: string;
  /** The request's content type. */
  readonly contentType: string | undefined;
  /** The parsed JSON body. */
  readonly body: unknown;
}

/** A running recorder. */
export interface WebhookRecorder {
  /** URL to put in RESET_WEBHOOK_URL. */
  readonly url: string;
  /** Every delivery so far, oldest first. */
  readonly deliveries: Delivery[];
  /** Answers every held request (with `hold`). */
  release(): void;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the recorder on 127.0.0.1 with a free port; it answers `status` (default 204) to every POST, or, with
 * `hold`, keeps each request waiting until `release()` (a mailer that hangs).
 */
export async function startWebhookRecorder(status = 204, hold = false): Promise<WebhookRecorder> {
  const deliveries: Delivery[] = [];
  const held: Array<() => void> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
      deliveries.push({ path: request.url ?? '', contentType: request.headers['content-type'], body });
      const answer = (): void => {
        response.statusCode = status;
        response.end();
      };
      if (hold) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/reset-mail`,
    deliveries,
    release: () => {
      for (const answer of held.splice(0)) answer();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
