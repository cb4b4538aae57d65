/**
 * Lifecycle steps of one sandbox (checkpoint, restore, destroy) must not interleave; commands may
 * run concurrently with each other but not with a lifecycle step.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(step, step);
    this.#tail = result.catch(() => {});
    return result;
  }

  /** Resolves once no step is queued or running. */
  async idle(): Promise<void> {
    let tail: Promise<unknown>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
  }
}
