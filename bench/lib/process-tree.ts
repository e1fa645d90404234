import { readdirSync, readFileSync } from "node:fs";

/**
 * A process and all its descendants (a gateway cluster's primary and workers), read
 * from /proc once: callers take it when the tree is settled, not on every sample.
 */
export function processTree(root: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of childrenOf.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}
