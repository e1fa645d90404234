/** What the benchmark's own servers (the floors) share: their settings from the environment and a clean stop. */

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

interface ClosableServer {
  close(callback?: () => void): unknown;
  closeAllConnections?(): void;
}

/** On SIGINT/SIGTERM: drop keep-alive connections, close the servers, exit once all are closed (or after 1 s). */
export function exitOnSignals(...servers: ClosableServer[]): void {
  const stop = () => {
    let open = servers.length;
    for (const server of servers) {
      server.closeAllConnections?.();
      server.close(() => {
        open -= 1;
        if (open === 0) process.exit(0);
      });
    }
    setTimeout(() => process.exit(0), 1_000).unref();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
