import type { TurnOutcome } from "../agent/agent-turn.ts";
import { loseLease, shutdownTurn, stopTurn, TurnInterruptedError } from "../agent/turn-interruption.ts";
import type { ThreadRef } from "../chat/thread.ts";
import type { SessionInbox, SessionRecord, SessionStore, ThreadLease, TurnSlots } from "./session-store.ts";

export interface TurnRunnerOptions {
  store: SessionStore;
  inbox: SessionInbox;
  lease: ThreadLease;
  /** Distinguishes this process's holders from a crashed one's that ran the same job. */
  instanceId: string;
  leaseTtlMs: number;
  /** How often a running turn looks for a stop request: the bound on "stop within a second". */
  stopPollMs?: number;
  runTurn(session: SessionRecord, signal: AbortSignal, shouldYield: () => boolean): Promise<TurnOutcome>;
  /** Concurrency caps; absent means no caps beyond one turn per thread. */
  fairness?: { slots: TurnSlots; perWorkspace: number; perUser: number };
}

/** No slot free for this workspace or user: the job comes back later, holding no worker meanwhile. */
export class TurnDeferred extends Error {
  readonly scope: string;

  constructor(scope: string) {
    super(`turn deferred: ${scope} is at its concurrency cap`);
    this.name = "TurnDeferred";
    this.scope = scope;
  }
}

export type RunOutcome = "queued" | "ran";

/**
 * Runs a thread's turns while it has work (new messages, or a turn a dead worker left half done),
 * under the thread's lease. Push first, then lease, then re-check after release: no message is
 * stranded. The lease holder is `<owner>|<instance>`: the same BullMQ job re-run after a crash
 * (same owner) takes the lease over at once instead of waiting for it to expire.
 */
export function createTurnRunner(options: TurnRunnerOptions) {
  const { store, inbox, lease, leaseTtlMs } = options;
  const stopPollMs = options.stopPollMs ?? 250;
  const running = new Map<string, AbortController>();
  let draining = false;

  /**
   * New messages, a turn a dead worker left half done, or a parked turn whose owner decided. A
   * turn parked at the budget is work only after a Continue; until then messages wait.
   */
  async function hasWork(key: string, loaded?: SessionRecord): Promise<boolean> {
    const session = loaded ?? (await store.load(key));
    const turn = session?.activeTurn;
    if (turn?.awaitingBudget) return (session?.budgetGrants ?? 1) > turn.awaitingBudget.grants;
    if (await inbox.hasMessages(key)) return true;
    if (!turn) return false;
    if (!turn.awaitingApproval) return true;
    const decision = (await store.findApproval(key, turn.awaitingApproval.approvalId))?.decision;
    return decision === "approved" || decision === "denied";
  }

  async function runOne(
    key: string,
    thread: ThreadRef,
    holder: string,
    outer: AbortSignal,
    scopes: string[],
  ): Promise<boolean> {
    const session = await store.load(key);
    if (!session || !(await hasWork(key, session))) return false;
    if (!session.activeTurn) await inbox.takeStopRequest(key); // a stale stop must not end a new turn
    const controller = new AbortController();
    const abortFromOuter = () => controller.abort(outer.reason);
    outer.addEventListener("abort", abortFromOuter, { once: true });
    running.set(key, controller);
    let sinceRenewal = 0;
    const watch = setInterval(async () => {
      try {
        const stoppedBy = await inbox.takeStopRequest(key);
        if (stoppedBy) controller.abort(stopTurn(stoppedBy));
        sinceRenewal += stopPollMs;
        if (sinceRenewal >= leaseTtlMs / 3) {
          sinceRenewal = 0;
          if (!(await lease.renew(key, holder, leaseTtlMs))) controller.abort(loseLease());
          await options.fairness?.slots.renew(scopes, holder, leaseTtlMs);
        }
      } catch {
        // Redis unreachable: the lease may lapse; the next renewal decides.
      }
    }, stopPollMs);
    try {
      await options.runTurn({ ...session, thread }, controller.signal, () => draining);
      return true;
    } finally {
      clearInterval(watch);
      outer.removeEventListener("abort", abortFromOuter);
      running.delete(key);
    }
  }

  return {
    /** `userId` is whose message or click brought the work: their per-user cap applies. */
    async runWhileWork(
      key: string,
      thread: ThreadRef,
      owner: string,
      signal: AbortSignal,
      userId: string,
    ): Promise<RunOutcome> {
      const holder = `${owner}|${options.instanceId}`;
      const fairness = options.fairness;
      const caps = fairness
        ? [
            { scope: `workspace:${thread.platform}:${thread.workspace}`, limit: fairness.perWorkspace },
            { scope: `user:${thread.platform}:${thread.workspace}:${userId}`, limit: fairness.perUser },
          ]
        : [];
      const scopes = caps.map((cap) => cap.scope);
      let outcome: RunOutcome = "queued";
      while (!draining && (await hasWork(key))) {
        if (!(await lease.acquire(key, holder, leaseTtlMs))) return outcome;
        try {
          if (fairness && !(await fairness.slots.acquire(caps, holder, leaseTtlMs))) {
            throw new TurnDeferred(scopes.join(" or "));
          }
          if (await runOne(key, thread, holder, signal, scopes)) outcome = "ran";
        } finally {
          await fairness?.slots.release(scopes, holder);
          await lease.release(key, holder);
        }
      }
      return outcome;
    },

    /**
     * For a deploy: running turns stop at their next step boundary; a command still running at
     * the deadline is killed. Interrupted turns stay in the step log for the next worker.
     */
    async drain(deadlineMs: number): Promise<void> {
      draining = true;
      const deadline = setTimeout(() => {
        for (const controller of running.values()) controller.abort(shutdownTurn());
      }, deadlineMs);
      while (running.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      clearTimeout(deadline);
    },

    get draining() {
      return draining;
    },
  };
}

export function isShutdownHandover(error: unknown): boolean {
  return error instanceof TurnInterruptedError && error.interruption.kind === "shutdown";
}
