/**
 * The load-generator process. It runs apart from the orchestrator (and, where the
 * machine allows, on its own core) and takes one phase at a time over IPC; senders
 * are kept per target, so warm connections carry over from warm-up to measurement.
 */
import { runAtRate, runSaturated } from "./drivers.js";
import type { FailedRun, PhaseResult, RunRequest } from "./job.js";
import { createSender } from "./senders.js";
import type { Sender } from "./senders.js";

/** HTTP/1.1 connections per target: more than any phase keeps in flight. */
const HTTP1_CONNECTIONS = 64;

const senders = new Map<string, Sender>();

function senderFor(request: RunRequest): Sender {
  const key = JSON.stringify(request.target);
  let sender = senders.get(key);
  if (!sender) {
    sender = createSender(request.target, HTTP1_CONNECTIONS);
    senders.set(key, sender);
  }
  return sender;
}

async function run(request: RunRequest): Promise<PhaseResult> {
  const sender = senderFor(request);
  const { phase } = request;
  const { latencies, lags, ...measured } =
    phase.kind === "rate"
      ? await runAtRate(sender, phase.rate, phase.seconds)
      : await runSaturated(sender, phase.concurrency, phase.seconds);
  // Raw samples cross the IPC channel only when asked for.
  return { type: "result", phase, ...measured, ...(phase.raw ? { latencies, ...(lags ? { lags } : {}) } : {}) };
}

process.on("message", (message: RunRequest | { type: "close" }) => {
  if (message.type === "close") {
    void Promise.all([...senders.values()].map((sender) => sender.close())).finally(() => process.disconnect());
    return;
  }
  run(message).then(
    (result) => process.send?.(result),
    (error: unknown) => process.send?.({ type: "failed", message: (error as Error).stack ?? String(error) } satisfies FailedRun),
  );
});
