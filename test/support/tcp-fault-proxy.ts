/**
 * A TCP proxy a fault test runs in front of PostgreSQL (or any server), so the test can break the network path it
 * owns and nothing else: refuse new connections, stall every byte (a hung server or a black-holed network), or cut
 * every open connection (a restart, a failover). The shared database itself is never touched.
 * @module
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What the proxy does with traffic right now. */
export type ProxyMode = 'forward' | 'refuse' | 'stall';

/** A running proxy on a loopback port. */
export interface TcpFaultProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** `targetUrl` with its host and port replaced by the proxy's. */
  urlThrough(targetUrl: string): string;
  /** Forward (the default), refuse new connections (closed at once), or stall: accept and hold every byte. */
  setMode(mode: ProxyMode): void;
  /** Destroys every open connection, both sides, as a server restart would. */
  cutAll(): void;
  /** Connections opened through the proxy so far. */
  readonly accepted: number;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1:0 in front of `targetHost:targetPort`. */
export async function startTcpFaultProxy(targetHost: string, targetPort: number): Promise<TcpFaultProxy> {
  let mode: ProxyMode = 'forward';
  let accepted = 0;
  const open = new Set<Socket>();
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    accepted += 1;
    track(client);
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    if (mode === 'stall') {
      // Accept and never answer: the client's own timeouts are all that can end this.
      client.pause();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.on('data', (chunk) => {
      if (mode !== 'stall') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (mode !== 'stall') client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const cutAll = (): void => {
    for (const socket of open) socket.destroy();
  };
  return {
    port,
    urlThrough(targetUrl) {
      const url = new URL(targetUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    setMode(next) {
      mode = next;
    },
    cutAll,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
