import { ConnectError } from "@connectrpc/connect";
import type { Code } from "@connectrpc/connect";
import type { ChildProcess } from "node:child_process";

/** What a call ended with: "ok", or the Connect error it raised. */
export async function outcomeOf(call: Promise<unknown>): Promise<"ok" | ConnectError> {
  try {
    await call;
    return "ok";
  } catch (error) {
    return ConnectError.from(error);
  }
}

export async function codeOf(call: Promise<unknown>): Promise<Code | "ok"> {
  const outcome = await outcomeOf(call);
  return outcome === "ok" ? outcome : outcome.code;
}

/** The error of a call that must fail. */
export async function errorOf(call: Promise<unknown>): Promise<ConnectError> {
  const outcome = await outcomeOf(call);
  if (outcome === "ok") throw new Error("the call succeeded");
  return outcome;
}

/** Resolves once a gateway child process logs that it listens; rejects if it exits first. */
export function gatewayListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("gateway listening")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}: ${output}`)));
  });
}
