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

/**
 * Watches a bench server's output: `announced` is what it prints on its first JSON line of
 * stdout (where it listens), or a rejection carrying its last output if it exits first;
 * `output()` is the last 8 KB it printed, for diagnosing a failed run.
 */
export function watchAnnouncement<T>(child: ChildProcess): { readonly announced: Promise<T>; output(): string } {
  let output = "";
  const keep = (text: string) => {
    output = (output + text).slice(-8_000);
  };
  child.stderr?.on("data", (chunk: Buffer) => keep(chunk.toString()));
  const line = new Promise<T>((resolve) => {
    let found = false;
    createInterface({ input: child.stdout! }).on("line", (text) => {
      keep(`${text}\n`);
      if (!found && text.startsWith("{")) {
        found = true;
        resolve(JSON.parse(text) as T);
      }
    });
  });
  return { announced: Promise.race([line, exitedEarly(child, () => output)]), output: () => output };
}

/** A bench server's environment: nothing of the caller's shell but PATH and HOME, production mode, plus its own settings. */
export function benchChildEnv(settings: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...settings };
}
