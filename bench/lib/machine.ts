import { cpus, loadavg, release, totalmem } from "node:os";

/** The facts a reader needs to compare figures across runs (the CPU count ignores this process's pinning). */
export function describeMachine(): string[] {
  const model = cpus()[0]?.model ?? "unknown CPU";
  const [one, five] = loadavg();
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${cpus().length} CPUs (${model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}`,
    `node: ${process.version}`,
    // Other work on the machine shows up here; figures taken under load are noisier.
    `load average before the run: ${one?.toFixed(2)} (1 min), ${five?.toFixed(2)} (5 min)`,
  ];
}
