import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SIMULATOR_DIR = fileURLToPath(new URL("../../sidecar/packages/sonarqube-simulator/", import.meta.url));

export interface SonarRequestLogEntry {
  path: string;
  query: string;
  token: string | null;
  status: number;
}

/** A SonarQube simulator (sidecar/packages/sonarqube-simulator) as a child process. */
export interface RunningSonarQubeSimulator {
  readonly url: string;
  /** The token its API calls need (the seed's). */
  readonly token: string;
  requests(): Promise<SonarRequestLogEntry[]>;
  stop(): Promise<void>;
}

/** Starts the simulator with one of its seeds ("acme", "globex") on a free port. */
export async function startSonarQubeSimulator(seed: "acme" | "globex"): Promise<RunningSonarQubeSimulator> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--seed", seed], {
    cwd: SIMULATOR_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const started = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => {
      try {
        resolve(JSON.parse(line) as { url: string; token: string });
      } catch {
        reject(new Error(`the SonarQube simulator printed ${line} instead of its JSON line`));
      }
    });
    child.once("exit", (code) => reject(new Error(`the SonarQube simulator exited with ${code}: ${stderr}`)));
  });
  return {
    ...started,
    async requests() {
      return (await (await fetch(`${started.url}/_simulator/requests`)).json()) as SonarRequestLogEntry[];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
