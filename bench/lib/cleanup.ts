/**
 * Things to undo, undone in reverse order of creation; a failing step does not stop
 * the others. Lets a script start processes one by one and still stop all of them
 * whatever fails in between.
 */
export class Cleanup {
  readonly #steps: Array<{ what: string; undo: () => Promise<unknown> }> = [];

  /** Registers an undo step and returns the resource, for `const x = cleanup.add(await start(), …)`. */
  add<T>(resource: T, what: string, undo: (resource: T) => Promise<unknown>): T {
    this.#steps.push({ what, undo: () => undo(resource) });
    return resource;
  }

  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      await step.undo().catch((error: unknown) => console.error(`cleanup: ${step.what} failed: ${(error as Error).message}`));
    }
  }
}
