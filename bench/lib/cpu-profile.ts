/** The parts of a V8 `.cpuprofile` (as written by `node --cpu-prof`) that a summary needs. */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * Self time by where the code lives (an npm package, Node's internals, a directory of
 * the gateway, or V8's own entries such as the garbage collector), and the hottest
 * functions. Self time, not total: async continuations lose their callers in V8's
 * profiles, so totals would mislead.
 */
export function summariseProfile(profile: CpuProfile, options: { top: number; calls: number }): string {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    const deltaUs = profile.timeDeltas[index] ?? 0;
    if (!frame || deltaUs <= 0) return;
    totalUs += deltaUs;
    const module = moduleOf(frame.url, frame.functionName);
    byModule.set(module, (byModule.get(module) ?? 0) + deltaUs);
    const name = `${frame.functionName || "(anonymous)"}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + deltaUs);
  });
  const busyUs = totalUs - (byModule.get("(idle)") ?? 0);
  const row = (label: string, us: number) =>
    `${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${(us / 1000 / Math.max(1, options.calls)).toFixed(4)} ms/call  ${label}`;
  const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return [
    `profiled ${(totalUs / 1e6).toFixed(1)} s, busy ${(busyUs / 1e6).toFixed(1)} s: ${(busyUs / 1000 / Math.max(1, options.calls)).toFixed(3)} ms of CPU per call`,
    "",
    "self time by module:",
    ...sorted(byModule).map(([label, us]) => row(label, us)),
    "",
    `hottest ${options.top} functions (self time):`,
    ...sorted(byFunction)
      .slice(0, options.top)
      .map(([label, us]) => row(label, us)),
  ].join("\n");
}

function moduleOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inPackage?.[1]) return inPackage[1];
  if (url.startsWith("node:")) return "node: internals";
  const inGateway = /\/dist\/([^/]+(?:\/[^/]+)?)\//.exec(url) ?? /\/dist\/([^/]+)$/.exec(url);
  if (inGateway?.[1]) return `gateway ${inGateway[1].replace(/\.js$/, "")}`;
  return url;
}

function shortUrl(url: string): string {
  const inPackage = url.lastIndexOf("node_modules/");
  if (inPackage >= 0) return url.slice(inPackage + "node_modules/".length);
  const inDist = url.lastIndexOf("/dist/");
  if (inDist >= 0) return url.slice(inDist + 1);
  return url;
}
