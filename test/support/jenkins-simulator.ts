import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SIMULATOR_DIR = fileURLToPath(new URL("../../sidecar/packages/jenkins-simulator/", import.meta.url));

export interface JenkinsRequestLogEntry {
  path: string;
  user: string | null;
  status: number;
}

/** A Jenkins simulator (sidecar/packages/jenkins-simulator) as a child process. */
export interface RunningJenkinsSimulator {
  readonly url: string;
  /** The account its API calls need (the seed's user and API token). */
  readonly user: string;
  readonly apiToken: string;
  requests(): Promise<JenkinsRequestLogEntry[]>;
  stop(): Promise<void>;
}

/** Starts the simulator with one of its seeds ("acme", "globex") on a free port. */
export async function startJenkinsSimulator(seed: "acme" | "globex"): Promise<RunningJenkinsSimulator> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--seed", seed], {
    cwd: SIMULATOR_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const started = await new Promise<{ url: string; user: string; apiToken: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => {
      try {
        resolve(JSON.parse(line) as { url: string; user: string; apiToken: string });
      } catch {
        reject(new Error(`the Jenkins simulator printed ${line} instead of its JSON line`));
      }
    });
    child.once("exit", (code) => reject(new Error(`the Jenkins simulator exited with ${code}: ${stderr}`)));
  });
  return {
    ...started,
    async requests() {
      return (await (await fetch(`${started.url}/_simulator/requests`)).json()) as JenkinsRequestLogEntry[];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
