/**
 * `npm run audit` (last step of `npm test`): `npm audit --omit=dev
 * --audit-level=high --json` for every npm tree of the repository (root,
 * sidecar/, web/ when it exists), judged against
 * scripts/audit/accepted-advisories.json. Fails on a HIGH or CRITICAL
 * advisory that is not accepted, on an acceptance past its review date, or on
 * a malformed acceptance. When the audit endpoint cannot be asked (offline,
 * a registry mirror without the advisory API) it says so and does not fail.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { evaluateAudit, reportError, SEVERITIES, type TreeAudit } from "./audit/evaluate.js";

const run = promisify(execFile);
const root = new URL("..", import.meta.url);
const TREES = [
  { tree: "root", dir: root },
  { tree: "sidecar", dir: new URL("sidecar/", root) },
  { tree: "web", dir: new URL("web/", root) },
].filter(({ dir }) => existsSync(new URL("package-lock.json", dir)));

async function auditTree(tree: string, dir: URL): Promise<TreeAudit> {
  let stdout: string;
  let stderr = "";
  try {
    ({ stdout } = await run("npm", ["audit", "--omit=dev", "--audit-level=high", "--json"], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    }));
  } catch (error) {
    // npm audit exits 1 when it finds something at the level, and when it fails; the JSON tells which.
    const failure = error as { stdout?: string; stderr?: string; message: string };
    stdout = failure.stdout ?? "";
    stderr = failure.stderr ?? failure.message;
  }
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    return { tree, unreachable: stderr.split("\n").find((line) => line.trim() !== "") ?? "no report" };
  }
  const error = reportError(report);
  if (error === undefined) return { tree, report };
  const why = stderr.split("\n").find((line) => /audit|ENOTFOUND|EAI_AGAIN|ECONN|\b[45]\d\d\b/.test(line)) ?? "";
  return { tree, unreachable: [error, why.replace(/^npm (?:warn|error) /, "")].filter(Boolean).join("; ") };
}

const audits = await Promise.all(TREES.map(({ tree, dir }) => auditTree(tree, dir)));
const accepted: unknown = JSON.parse(readFileSync(new URL("scripts/audit/accepted-advisories.json", root), "utf8"));
const verdict = evaluateAudit(audits, accepted, new Date());

for (const entry of verdict.counts) {
  if ("unreachable" in entry) {
    console.log(`audit ${entry.tree}: NOT AUDITED, the audit endpoint could not be asked (${entry.unreachable}); not failing`);
  } else {
    console.log(
      `audit ${entry.tree}: ${SEVERITIES.map((severity) => `${severity} ${entry.counts[severity]}`).join(", ")} (production dependencies)`,
    );
  }
}
for (const finding of verdict.findings) {
  const known = !verdict.unaccepted.includes(finding);
  console.log(`  ${known ? "accepted" : "NEW"} ${finding.severity} ${finding.id} ${finding.package} (${finding.tree}): ${finding.title}`);
}
for (const entry of verdict.expired)
  console.log(`  EXPIRED acceptance of ${entry.id} ${entry.package}: review it (reviewBy ${entry.reviewBy})`);
for (const entry of verdict.unused)
  console.log(`  no longer reported: ${entry.id} ${entry.package}; remove it from scripts/audit/accepted-advisories.json`);
for (const problem of verdict.problems) console.log(`  ${problem}`);
if (verdict.failed) {
  console.log(
    "audit FAILED: update the dependency, or accept the advisory with a reason and a review date in scripts/audit/accepted-advisories.json",
  );
  process.exitCode = 1;
}
