import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

/** A private redis-server on its own port, so a test can stop and restart it. */
export interface PrivateRedis {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (running()) return; // already serving: a second server could not bind the port anyway
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    await waitUntilAnswers(url);
  };
  const stop = async () => {
    const current = child;
    if (!current || !running()) return;
    await new Promise((resolve) => {
      current.once("exit", resolve);
      current.kill("SIGKILL");
    });
  };
  await start();
  return { url, start, stop };
}

/** Polls until Redis answers PING, within a bounded deadline. */
async function waitUntilAnswers(url: string, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => undefined); // failures surface through connect() below
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (error) {
      if (Date.now() > until) throw new Error(`redis at ${url} did not start: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 25)); // poll interval, bounded by the deadline
    } finally {
      probe.disconnect();
    }
  }
}
