/** A dependency the gateway needs to serve; readiness reports each one. */
export interface DependencyCheck {
  readonly name: string;
  /**
   * Whether the gateway cannot serve without it. A failing non-critical dependency is
   * reported (status "degraded") but keeps the replica in rotation: taking every
   * replica out at once for it would turn a partial outage into a total one.
   */
  readonly critical: boolean;
  /** Resolves when the dependency answers; rejects with a reason otherwise. */
  check(): Promise<void>;
}

export interface DependencyReport {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** Ready, but a non-critical dependency is failing. */
  readonly degraded: boolean;
  readonly draining: boolean;
  readonly dependencies: Record<string, DependencyReport>;
}

export interface Readiness {
  /** Runs every check (concurrent calls share one run). */
  report(): Promise<ReadinessReport>;
  /** Called at shutdown: from then on the gateway reports not ready. */
  startDraining(): void;
  readonly draining: boolean;
  /** Aborted when draining starts, so long-lived streams can end cleanly. */
  readonly drainSignal: AbortSignal;
}

export function createReadiness(checks: readonly DependencyCheck[], timeoutMs = 2_000): Readiness {
  let draining = false;
  const drainController = new AbortController();
  let running: Promise<ReadinessReport> | undefined;

  async function runOne(dependency: DependencyCheck): Promise<[string, DependencyReport]> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        dependency.check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return [dependency.name, { ok: true, latencyMs: elapsed(started) }];
    } catch (error) {
      return [dependency.name, { ok: false, latencyMs: elapsed(started), error: (error as Error).message }];
    } finally {
      clearTimeout(timer);
    }
  }

  async function run(): Promise<ReadinessReport> {
    const results = Object.fromEntries(await Promise.all(checks.map(runOne)));
    const failing = checks.filter((dependency) => !results[dependency.name]?.ok);
    const criticalOk = failing.every((dependency) => !dependency.critical);
    return { ready: criticalOk && !draining, degraded: failing.length > 0, draining, dependencies: results };
  }

  return {
    report() {
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
    startDraining() {
      draining = true;
      drainController.abort();
    },
    drainSignal: drainController.signal,
    get draining() {
      return draining;
    },
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
