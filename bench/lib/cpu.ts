import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

/** A command line, possibly wrapped to run on given cores. */
export interface CommandLine {
  readonly command: string;
  readonly args: string[];
}

/**
 * CPU placement of a benchmark run on a machine with at least two cores: the proxy
 * under test (the gateway, or nginx) alone on CPU 0; what surrounds it (the sidecar,
 * PostgreSQL, the load generator, and this orchestrator, idle while load runs) on
 * CPU 1. Every path (direct, nginx, gateway) thus sees the same client and backend
 * placement, and the proxy's figures are those of one core of its own.
 * Children inherit the orchestrator's affinity, which is why it pins itself first.
 */
export interface CpuPlan {
  readonly pinned: boolean;
  readonly description: string;
  /** Runs argv on the proxy's core. */
  proxyCommand(argv: readonly string[]): CommandLine;
  /** Runs argv on every core (a gateway cluster, whose workers share the machine with what surrounds them). */
  everyCoreCommand(argv: readonly string[]): CommandLine;
}

export function planCpus(enabled = process.env.BENCH_PIN !== "0"): CpuPlan {
  const cores = availableParallelism();
  const unpinned = (why: string): CpuPlan => ({
    pinned: false,
    description: `not pinned (${why}): every process may use all ${cores} cores`,
    proxyCommand: ([command, ...args]) => ({ command: command ?? "", args }),
    everyCoreCommand: ([command, ...args]) => ({ command: command ?? "", args }),
  });
  if (!enabled) return unpinned("BENCH_PIN=0");
  if (cores < 2) return unpinned("fewer than 2 cores");
  if (!hasTaskset()) return unpinned("taskset not found");
  const proxyCpus = "0";
  const otherCpus = cores > 2 ? `1-${cores - 1}` : "1";
  // -a: every thread of this process (libuv, GC helpers), not only the main one.
  execFileSync("taskset", ["-a", "-p", "-c", otherCpus, String(process.pid)], { stdio: "ignore" });
  return {
    pinned: true,
    description: `proxy under test (gateway or nginx) on CPU ${proxyCpus}; sidecar, PostgreSQL and load generator on CPU ${otherCpus} (taskset)`,
    proxyCommand: (argv) => ({ command: "taskset", args: ["-c", proxyCpus, ...argv] }),
    // The orchestrator's own affinity (inherited by children) leaves out CPU 0: widen it back.
    everyCoreCommand: (argv) => ({ command: "taskset", args: ["-c", `0-${cores - 1}`, ...argv] }),
  };
}

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
