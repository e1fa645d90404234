import type { ChildProcess } from "node:child_process";
import { afterAll } from "vitest";

/** Collects a child's output and resolves with the first capture group once a line matches. */
export function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = pattern.exec(output);
      if (found) resolve(found[1] ?? found[0]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing ${pattern}:\n${output}`)));
  });
}

/**
 * Tracks detached children (each leads its own process group) and kills whatever
 * group is left when the test file ends, so a failed test leaves no stack behind.
 */
export function trackProcessGroups(): { add(child: ChildProcess): void } {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) continue;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
    }
  });
  return { add: (child) => void children.push(child) };
}
