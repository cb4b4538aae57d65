/**
 * Polling helper shared by the fakes: integration tests observe the bot only through what it
 * sent to a fake, so "wait until the fake has seen X" is the basic assertion primitive.
 */
export interface WaitForOptions {
  /** How long to keep polling before giving up; default 5 s (well under the vitest timeout). */
  timeoutMs?: number;
  intervalMs?: number;
  /** Names the awaited condition in the timeout error. */
  description?: string;
}

export type WaitForPredicate<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

/**
 * Resolves with the first truthy value of `predicate`. On timeout it throws an error that
 * includes `describeSeen()` so a failing test shows what the fake actually received instead
 * of a bare "timed out".
 */
export async function pollUntil<T>(
  predicate: WaitForPredicate<T>,
  describeSeen: () => string,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
      lastError = undefined;
    } catch (error) {
      // A predicate that throws (e.g. indexing a message that is not there yet) counts as "not yet".
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const what = options.description ? ` for ${options.description}` : "";
  const last = lastError instanceof Error ? `\nlast predicate error: ${lastError.message}` : "";
  throw new Error(`waitFor timed out after ${timeoutMs} ms${what}.${last}\nseen so far:\n${describeSeen()}`);
}
