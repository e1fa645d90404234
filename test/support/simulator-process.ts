import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** A simulator of sidecar/packages/<name> as a child process: what it printed on start, its request log, stop. */
export type RunningSimulatorProcess<Started, LogEntry> = Started & {
  readonly url: string;
  requests(): Promise<LogEntry[]>;
  stop(): Promise<void>;
};

/**
 * Starts `sidecar/packages/<packageName>` (`src/main.ts` under tsx) on a free port and waits for
 * the one JSON line it prints on start (its URL and the credentials of its seed). The simulators
 * of the stock plugins share this start-up and their `/_simulator/requests` log.
 */
export async function startSimulatorProcess<Started extends { url: string }, LogEntry>(
  packageName: string,
  label: string,
  args: readonly string[],
): Promise<RunningSimulatorProcess<Started, LogEntry>> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: fileURLToPath(new URL(`../../sidecar/packages/${packageName}/`, import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const started = await new Promise<Started>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => {
      try {
        resolve(JSON.parse(line) as Started);
      } catch {
        reject(new Error(`the ${label} simulator printed ${line} instead of its JSON line`));
      }
    });
    child.once("exit", (code) => reject(new Error(`the ${label} simulator exited with ${code}: ${stderr}`)));
  });
  return {
    ...started,
    async requests() {
      return (await (await fetch(`${started.url}/_simulator/requests`)).json()) as LogEntry[];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
