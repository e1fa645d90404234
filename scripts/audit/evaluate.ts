/**
 * The verdict of `npm run audit` (scripts/audit.ts), as a pure function of the
 * `npm audit --json` reports and the accepted-advisories file: which HIGH or
 * CRITICAL advisories are new, which acceptances have expired, and the counts
 * by severity per tree.
 */

export const SEVERITIES = ["critical", "high", "moderate", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];
const BLOCKING: readonly Severity[] = ["critical", "high"];

export interface AcceptedAdvisory {
  readonly id: string;
  readonly package: string;
  readonly trees: readonly string[];
  readonly severity: Severity;
  readonly reason: string;
  /** YYYY-MM-DD: the acceptance holds until the end of this day (UTC). */
  readonly reviewBy: string;
}

export interface Finding {
  readonly tree: string;
  readonly id: string;
  readonly package: string;
  readonly severity: Severity;
  readonly title: string;
}

/** What one tree's `npm audit --json` said: a report, or why there is none. */
export type TreeAudit = { readonly tree: string; readonly report: unknown } | { readonly tree: string; readonly unreachable: string };

export interface AuditVerdict {
  readonly counts: ReadonlyArray<{ tree: string; counts: Record<Severity, number> } | { tree: string; unreachable: string }>;
  readonly findings: readonly Finding[];
  readonly unaccepted: readonly Finding[];
  readonly expired: readonly AcceptedAdvisory[];
  readonly unused: readonly AcceptedAdvisory[];
  readonly problems: readonly string[];
  readonly failed: boolean;
}

interface ViaAdvisory {
  source?: unknown;
  name?: unknown;
  title?: unknown;
  url?: unknown;
  severity?: unknown;
}

const isSeverity = (value: unknown): value is Severity => SEVERITIES.includes(value as Severity);

/** The advisory id: the GHSA of its URL, else npm's source number. */
function advisoryId(via: ViaAdvisory): string {
  const ghsa = typeof via.url === "string" ? /GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}/i.exec(via.url)?.[0] : undefined;
  return ghsa ?? `npm-${String(via.source)}`;
}

/** An `npm audit --json` error report (registry unreachable, endpoint refused), or undefined. */
export function reportError(report: unknown): string | undefined {
  if (!report || typeof report !== "object") return "no JSON report";
  const { error } = report as { error?: { code?: unknown; summary?: unknown } };
  if (!error) return undefined;
  const said = [error.code, error.summary].filter((part) => typeof part === "string" && part !== "").join(": ");
  return said || "the audit endpoint returned an error";
}

/** HIGH/CRITICAL advisories of one report, one per (id, package). */
export function blockingFindings(tree: string, report: unknown): Finding[] {
  const vulnerabilities = (report as { vulnerabilities?: Record<string, { via?: unknown[] }> }).vulnerabilities ?? {};
  const found = new Map<string, Finding>();
  for (const vulnerability of Object.values(vulnerabilities)) {
    for (const via of vulnerability.via ?? []) {
      if (!via || typeof via !== "object") continue; // a package name: reported under its own entry
      const advisory = via as ViaAdvisory;
      if (!isSeverity(advisory.severity) || !BLOCKING.includes(advisory.severity)) continue;
      const finding: Finding = {
        tree,
        id: advisoryId(advisory),
        package: String(advisory.name),
        severity: advisory.severity,
        title: typeof advisory.title === "string" ? advisory.title : "",
      };
      found.set(`${finding.id} ${finding.package}`, finding);
    }
  }
  return [...found.values()];
}

function severityCounts(report: unknown): Record<Severity, number> {
  const reported = (report as { metadata?: { vulnerabilities?: Partial<Record<Severity, number>> } }).metadata?.vulnerabilities ?? {};
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, reported[severity] ?? 0])) as Record<Severity, number>;
}

/** Checks the accepted-advisories file's shape; returns its entries and the problems found. */
export function parseAccepted(file: unknown): { accepted: AcceptedAdvisory[]; problems: string[] } {
  const list = (file as { advisories?: unknown }).advisories;
  if (!Array.isArray(list)) return { accepted: [], problems: ['accepted advisories: "advisories" must be a list'] };
  const accepted: AcceptedAdvisory[] = [];
  const problems: string[] = [];
  list.forEach((entry: Partial<AcceptedAdvisory>, index) => {
    const where = `accepted advisories[${index}]${typeof entry?.id === "string" ? ` (${entry.id})` : ""}`;
    const missing = (["id", "package", "reason", "reviewBy"] as const).filter(
      (key) => typeof entry?.[key] !== "string" || entry[key] === "",
    );
    if (missing.length > 0) problems.push(`${where}: ${missing.join(", ")} missing`);
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(entry.reviewBy ?? "") || Number.isNaN(Date.parse(`${entry.reviewBy}T00:00:00Z`))) {
      problems.push(`${where}: reviewBy must be a date (YYYY-MM-DD)`);
    } else if (!Array.isArray(entry.trees) || entry.trees.length === 0) problems.push(`${where}: trees must name root, sidecar and/or web`);
    else if (!isSeverity(entry.severity)) problems.push(`${where}: severity must be one of ${SEVERITIES.join(", ")}`);
    else accepted.push(entry as AcceptedAdvisory);
  });
  return { accepted, problems };
}

export function evaluateAudit(audits: readonly TreeAudit[], acceptedFile: unknown, today: Date): AuditVerdict {
  const { accepted, problems } = parseAccepted(acceptedFile);
  const day = today.toISOString().slice(0, 10);
  const expired = accepted.filter((entry) => entry.reviewBy < day);
  const counts: AuditVerdict["counts"][number][] = [];
  const findings: Finding[] = [];
  for (const audit of audits) {
    if ("unreachable" in audit) {
      counts.push({ tree: audit.tree, unreachable: audit.unreachable });
      continue;
    }
    counts.push({ tree: audit.tree, counts: severityCounts(audit.report) });
    findings.push(...blockingFindings(audit.tree, audit.report));
  }
  const covers = (entry: AcceptedAdvisory, finding: Finding) =>
    entry.id.toLowerCase() === finding.id.toLowerCase() && entry.package === finding.package && entry.trees.includes(finding.tree);
  const unaccepted = findings.filter((finding) => !accepted.some((entry) => covers(entry, finding)));
  const audited = new Set(audits.filter((audit) => !("unreachable" in audit)).map((audit) => audit.tree));
  const unused = accepted.filter(
    (entry) => entry.trees.every((tree) => audited.has(tree)) && !findings.some((finding) => covers(entry, finding)),
  );
  return {
    counts,
    findings,
    unaccepted,
    expired,
    unused,
    problems,
    failed: unaccepted.length > 0 || expired.length > 0 || problems.length > 0,
  };
}
