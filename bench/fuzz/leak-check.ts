import type { FuzzCall } from "./calls.js";
import type { CallOutcome } from "./runner.js";
import type { FuzzWorkspace } from "./world.js";

export interface Verdict {
  /** Other workspaces whose values appear in the answer (values the request itself did not contain). */
  readonly leakedFrom: readonly string[];
  /** The sidecar acted for another workspace than the caller's (from the echo routes). */
  readonly wrongWorkspace: boolean;
  /** Any workspace's secret in the answer (the caller's own included: secrets are write-only). */
  readonly secretExposed: boolean;
  /** A /whoami answer naming another user of the same workspace (a shared cache entry), not a cross-workspace leak. */
  readonly otherUserOfSameWorkspace: boolean;
}

/**
 * Judges one answer. A workspace value counts as leaked only when it is in the
 * answer but not in the request: an error that repeats the workspace_id a caller
 * sent ("not valid for workspace X") tells the caller nothing it did not know.
 */
export function inspect(call: FuzzCall, outcome: CallOutcome, workspaces: readonly FuzzWorkspace[]): Verdict {
  const requestText = JSON.stringify({ request: call.request, headers: call.headers }, (_key, value: unknown) =>
    value instanceof Uint8Array ? new TextDecoder().decode(value) : value,
  );
  const fresh = (marker: string) => outcome.text.includes(marker) && !requestText.includes(marker);
  const leakedFrom = workspaces
    .filter((workspace) => workspace !== call.callerWorkspace)
    .filter((workspace) => [...workspace.markers, ...workspace.secretMarkers].some(fresh))
    .map((workspace) => workspace.id);
  const secretExposed = workspaces.some((workspace) => workspace.secretMarkers.some(fresh));

  let wrongWorkspace = false;
  let otherUserOfSameWorkspace = false;
  if (outcome.code === "ok" && call.echoes && outcome.data !== undefined) {
    const echoed = parseEcho(outcome.data);
    // A successful echo must name the caller's workspace; an answer without one is not an echo (e.g. /health).
    if (echoed?.workspaceId !== undefined) {
      wrongWorkspace = echoed.workspaceId !== call.callerWorkspace?.id;
      otherUserOfSameWorkspace = !wrongWorkspace && echoed.userId !== undefined && echoed.userId !== call.callerUserId;
    }
  }
  return { leakedFrom, wrongWorkspace, secretExposed, otherUserOfSameWorkspace };
}

function parseEcho(data: string): { workspaceId?: string; userId?: string } | undefined {
  try {
    const parsed = JSON.parse(data) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as { workspaceId?: string; userId?: string }) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Proves the detector can fail before trusting its zeros: fabricated answers with a
 * foreign value, a foreign echo and a secret must be flagged; an answer repeating only
 * the caller's own values or the request's must not.
 */
export function assertDetectorWorks(workspaces: readonly FuzzWorkspace[]): void {
  const [own, other] = workspaces;
  if (!own || !other) throw new Error("the detector self-check needs two workspaces");
  const call: FuzzCall = {
    template: "self-check",
    protocol: "connect-json",
    callerWorkspace: own,
    callerUserId: own.users[0]?.id ?? "",
    tokenKind: "user",
    procedure: "proxyPluginRequest",
    request: { workspaceId: own.id, queryParams: { probe: other.id } },
    headers: {},
    echoes: "whoami",
  };
  const echo = (workspaceId: string) => JSON.stringify({ workspaceId, userId: call.callerUserId });
  const cases: Array<[string, CallOutcome, (verdict: Verdict) => boolean]> = [
    ["foreign config value", { code: "ok", text: `url ${other.config.github_api_url}` }, (v) => v.leakedFrom.includes(other.id)],
    ["foreign echo", { code: "ok", text: "", data: echo(other.id) }, (v) => v.wrongWorkspace],
    ["own secret", { code: "ok", text: `token ${own.secretMarkers[0]}` }, (v) => v.secretExposed],
    [
      "own values only",
      { code: "ok", text: `${own.id} ${own.config.github_api_url}`, data: echo(own.id) },
      (v) => !v.wrongWorkspace && v.leakedFrom.length === 0,
    ],
    ["request echoed back", { code: "PermissionDenied", text: `not valid for workspace "${other.id}"` }, (v) => v.leakedFrom.length === 0],
  ];
  for (const [name, outcome, expected] of cases) {
    if (!expected(inspect(call, outcome, workspaces))) throw new Error(`leak detector self-check failed: ${name}`);
  }
}
