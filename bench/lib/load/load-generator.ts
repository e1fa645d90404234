import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FailedRun, PhaseRequest, PhaseResult, TargetSpec } from "./job.js";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

/** The orchestrator's handle on the load-generator process. */
export interface LoadGenerator {
  run(target: TargetSpec, phase: PhaseRequest): Promise<PhaseResult>;
  close(): Promise<void>;
}

/** Starts the load generator as its own process; it inherits this process's CPU affinity. */
export function startLoadGenerator(): LoadGenerator {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", WORKER], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let pending: { resolve(result: PhaseResult): void; reject(error: Error): void } | undefined;
  child.on("message", (message: PhaseResult | FailedRun) => {
    const waiting = pending;
    pending = undefined;
    if (message.type === "result") waiting?.resolve(message);
    else waiting?.reject(new Error(`load generator failed: ${message.message}`));
  });
  child.once("exit", (code, signal) => pending?.reject(new Error(`load generator exited (${code ?? signal})`)));
  return {
    run(target, phase) {
      if (pending) return Promise.reject(new Error("one phase at a time"));
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send({ type: "run", target, phase });
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ type: "close" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
