import { connect, createServer } from "node:net";
import type { Server, Socket } from "node:net";

/**
 * Test helper: relays 127.0.0.1:<port> to a server (the real PostgreSQL); `cut` drops
 * every connection and refuses new ones, `open` serves again on the same port. A
 * network outage without stopping the machine's shared server.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  /** The relay for a postgres:// URL, and the same URL pointing at the relay (after `open`). */
  static forUrl(url: string): { relay: TcpRelay; relayedUrl: () => string } {
    const parsed = new URL(url);
    const relay = new TcpRelay({ host: parsed.hostname, port: Number(parsed.port || 5432) });
    return {
      relay,
      relayedUrl: () => {
        const relayed = new URL(url);
        relayed.host = `127.0.0.1:${relay.port}`;
        return relayed.toString();
      },
    };
  }

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once("close", () => this.sockets.delete(socket));
        socket.on("error", () => undefined); // the other side sees the reset
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
