import { useCallback, useEffect, useRef, useState } from "react";

export type CallState<T> =
  | { readonly status: "loading"; readonly data?: T | undefined }
  | { readonly status: "done"; readonly data: T }
  | { readonly status: "error"; readonly error: unknown; readonly data?: T | undefined };

/**
 * Runs a read when its inputs change and on `reload()`; a late answer of an earlier
 * input never overwrites a newer one, and unmounting aborts the call.
 */
export function useCall<T>(read: (signal: AbortSignal) => Promise<T>, inputs: readonly unknown[]): CallState<T> & { reload(): void } {
  const [state, setState] = useState<CallState<T>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const readRef = useRef(read);
  readRef.current = read;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the read depends on (`inputs`); the latest `read` is in the ref.
  useEffect(() => {
    const abort = new AbortController();
    setState((previous) => ({ status: "loading", data: previous.data }));
    readRef.current(abort.signal).then(
      (data) => abort.signal.aborted || setState({ status: "done", data }),
      (error: unknown) => abort.signal.aborted || setState((previous) => ({ status: "error", error, data: previous.data })),
    );
    return () => abort.abort();
  }, [...inputs, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}

/** A write: `run` resolves with the answer or undefined (the error is kept in `error`). */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await action(...args);
      } catch (caught) {
        setError(caught);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, clearError: () => setError(undefined) };
}
