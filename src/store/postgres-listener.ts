import pg from "pg";
import type { NotificationHandlers, StoreLogger } from "./database.js";

const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5_000;

/**
 * LISTEN on a connection of its own (a pooled connection would lose the subscription
 * when it goes back to the pool). A lost connection is reported and re-made with a
 * growing delay; each new connection LISTENs again and reports `resumed`.
 */
export function listenOnPostgres(
  url: string,
  channel: string,
  handlers: NotificationHandlers,
  logger: StoreLogger | undefined,
): { ready: Promise<void>; stop(): Promise<void> } {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryMs = FIRST_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;
  let connected = false;

  /** Lets go of the current connection: its late events are ignored, it is closed. */
  const discard = async () => {
    const current = client;
    client = undefined;
    current?.removeAllListeners();
    current?.on("error", () => undefined);
    await current?.end().catch(() => undefined);
  };

  const lose = (reason: string) => {
    if (stopped) return;
    if (connected) logger?.warn({ channel, reason }, "lost the PostgreSQL notification connection; reconnecting");
    connected = false;
    handlers.lost();
    void discard();
    timer = setTimeout(() => void connect(), retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, LONGEST_RETRY_MS);
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({
      connectionString: url,
      application_name: "orbit-plugins-gateway-listener",
      connectionTimeoutMillis: 5_000,
    });
    client = next;
    next.on("error", (error: Error) => lose(error.message));
    next.on("end", () => lose("connection ended"));
    next.on("notification", (message) => {
      if (message.channel === channel) handlers.message(message.payload ?? "");
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      if (client === next) lose((error as Error).message);
      return;
    }
    if (stopped || client !== next) return;
    connected = true;
    retryMs = FIRST_RETRY_MS;
    handlers.resumed();
  };

  return {
    ready: connect(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await discard();
    },
  };
}
