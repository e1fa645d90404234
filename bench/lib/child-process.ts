import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** Rejects when the child exits before it is ready. */
export function exitedEarly(child: ChildProcess, output: () => string): Promise<never> {
  return new Promise((_, reject) => {
    child.once("exit", (code, signal) => reject(new Error(`exited (${code ?? signal}) before it was ready:\n${output()}`)));
  });
}

/** SIGINT, then SIGKILL if the process has not exited within the grace period. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The first line of the child's stdout that is a JSON object (how a bench server says where it listens); every line also goes to `onLine`. */
export function firstJsonLine<T>(child: ChildProcess, onLine: (line: string) => void = () => undefined): Promise<T> {
  return new Promise((resolve) => {
    let found = false;
    createInterface({ input: child.stdout! }).on("line", (line) => {
      onLine(line);
      if (!found && line.startsWith("{")) {
        found = true;
        resolve(JSON.parse(line) as T);
      }
    });
  });
}

/** A bench server's environment: nothing of the caller's shell but PATH and HOME, production mode, plus its own settings. */
export function benchChildEnv(settings: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...settings };
}
