/**
 * Why a running turn was aborted. It travels as the AbortSignal's reason, so the command being
 * executed is killed by the sandbox and the loop knows what to record.
 */
export type TurnInterruption =
  /** A user pressed Stop or wrote "stop": end the turn, keep the session. */
  | { kind: "stopped"; by: string; error: Error }
  /** The worker is shutting down (deploy): persist and hand the turn to another worker. */
  | { kind: "shutdown"; error: Error }
  /** Another worker took the thread's lease: this one must stop touching the session. */
  | { kind: "lease_lost"; error: Error };

type WithoutError<T> = T extends unknown ? Omit<T, "error"> : never;

/** Named AbortError so every layer treats it as a cancellation, never as a tool failure. */
export class TurnInterruptedError extends Error {
  readonly interruption: TurnInterruption;

  constructor(interruption: WithoutError<TurnInterruption>, message: string) {
    super(message);
    this.name = "AbortError";
    this.interruption = { ...interruption, error: this } as TurnInterruption;
  }
}

export function interruptionOf(signal: AbortSignal): TurnInterruption | undefined {
  return signal.aborted && signal.reason instanceof TurnInterruptedError
    ? signal.reason.interruption
    : undefined;
}

export const stopTurn = (by: string) => new TurnInterruptedError({ kind: "stopped", by }, `stopped by ${by}`);
export const shutdownTurn = () => new TurnInterruptedError({ kind: "shutdown" }, "worker shutting down");
export const loseLease = () =>
  new TurnInterruptedError({ kind: "lease_lost" }, "the thread's lease was lost");
