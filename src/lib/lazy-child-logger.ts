import type { FastifyBaseLogger } from "fastify";
import type { Bindings, ChildLoggerOptions } from "pino";

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

/**
 * The per-request logger Fastify makes for every call (bindings `{ reqId }`), made only
 * when the request writes a line at an enabled level. pino serialises and redacts a
 * child's bindings when the child is created: several microseconds and kilobytes per
 * call that, at the default LOG_LEVEL=info only for the access line and at warn not
 * at all, bought nothing. The lines written are the same as the eager child's.
 */
export class LazyChildLogger implements FastifyBaseLogger {
  #made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger & { isLevelEnabled(level: string): boolean },
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return (this.#made ?? this.parent).level;
  }
  set level(level: string) {
    this.#child().level = level;
  }

  // Methods on the prototype, not arrow fields: nothing is allocated per request but the object itself.
  fatal(...args: unknown[]): void {
    this.#write("fatal", args);
  }
  error(...args: unknown[]): void {
    this.#write("error", args);
  }
  warn(...args: unknown[]): void {
    this.#write("warn", args);
  }
  info(...args: unknown[]): void {
    this.#write("info", args);
  }
  debug(...args: unknown[]): void {
    this.#write("debug", args);
  }
  trace(...args: unknown[]): void {
    this.#write("trace", args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#child().child(bindings, options);
  }

  #write(level: Level, args: unknown[]): void {
    // Until the child exists its level is the parent's: a disabled line costs one check.
    if (this.#made === undefined && !this.parent.isLevelEnabled(level)) return;
    (this.#child()[level] as (...line: unknown[]) => void)(...args);
  }

  #child(): FastifyBaseLogger {
    this.#made ??= this.parent.child(this.bindings, this.options);
    return this.#made;
  }
}
