import type { AgentTurnDependencies, TurnOutcome } from "../agent/agent-turn.ts";
import { runAgentTurn } from "../agent/agent-turn.ts";
import { createSessionWorkspace } from "../agent/session-workspace.ts";
import { type InboundAction, type InboundMessage, type ThreadRef, threadKey } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import { AppError } from "../errors.ts";
import type { SandboxProvider } from "../sandbox/sandbox.ts";
import type { SessionInbox, SessionRecord, SessionStore, ThreadLease } from "./session-store.ts";

export interface SessionServiceOptions {
  store: SessionStore;
  inbox: SessionInbox;
  lease: ThreadLease;
  sandboxes: SandboxProvider;
  poster: ThreadPoster;
  /** Unique per worker process: who holds a thread's lease. */
  holderId: string;
  leaseTtlMs?: number;
  /** Users who may restore in any thread besides its participants. */
  restoreUsers: string[];
  agent: Omit<AgentTurnDependencies, "store" | "inbox" | "poster" | "workspace">;
  onTurnEnd?: (key: string, outcome: TurnOutcome) => void;
}

export type AcceptOutcome = "ignored" | "queued" | "ran";

/**
 * The session logic that workers run: a message joins the thread's inbox and, if no turn is
 * running for the thread anywhere, this worker takes the thread's lease and runs turns until the
 * inbox is empty. Push first, then lease, then re-check after release: no message is stranded.
 */
export function createSessionService(options: SessionServiceOptions) {
  const { store, inbox, lease, holderId } = options;
  const leaseTtlMs = options.leaseTtlMs ?? 30_000;

  async function loadOrCreate(key: string, thread: ThreadRef): Promise<SessionRecord> {
    const existing = await store.load(key);
    if (existing) return existing;
    const now = new Date().toISOString();
    return { key, thread, createdAt: now, updatedAt: now, history: [], turns: 0 };
  }

  async function runLeasedTurns(key: string, thread: ThreadRef, signal: AbortSignal): Promise<AcceptOutcome> {
    let outcome: AcceptOutcome = "queued";
    while (await inbox.hasMessages(key)) {
      if (!(await lease.acquire(key, holderId, leaseTtlMs))) return outcome;
      const turn = new AbortController();
      const stop = () => turn.abort(signal.reason);
      signal.addEventListener("abort", stop, { once: true });
      const renewal = setInterval(async () => {
        if (!(await lease.renew(key, holderId, leaseTtlMs).catch(() => false))) {
          turn.abort(new AppError("lease_lost", "Another worker took over this thread."));
        }
      }, leaseTtlMs / 3);
      try {
        if (await inbox.hasMessages(key)) {
          const session = await loadOrCreate(key, thread);
          const result = await runAgentTurn(
            {
              ...options.agent,
              store,
              inbox,
              poster: options.poster,
              workspace: createSessionWorkspace(options.sandboxes, key),
            },
            session,
            turn.signal,
          );
          options.onTurnEnd?.(key, result);
          outcome = "ran";
        }
      } finally {
        clearInterval(renewal);
        signal.removeEventListener("abort", stop);
        await lease.release(key, holderId);
      }
    }
    return outcome;
  }

  return {
    async acceptMessage(message: InboundMessage, signal: AbortSignal): Promise<AcceptOutcome> {
      const key = threadKey(message.thread);
      if (!message.mentioned && !(await store.exists(key, signal))) return "ignored";
      if (!(await store.exists(key, signal))) {
        // Create the session at once, so replies that arrive during the first turn continue it.
        await store.save(await loadOrCreate(key, message.thread), signal);
      }
      await store.addParticipant(key, message.user.id);
      await inbox.push(key, message);
      return runLeasedTurns(key, message.thread, signal);
    },

    async restore(action: InboundAction, signal: AbortSignal): Promise<void> {
      const key = threadKey(action.thread);
      const poster = options.poster;
      const record = await store.findCheckpoint(key, action.value);
      if (!record) {
        await poster.postPrivate(
          action.thread,
          action.user.id,
          "That checkpoint is not part of this session.",
          signal,
        );
        return;
      }
      const allowed =
        options.restoreUsers.includes(action.user.id) || (await store.isParticipant(key, action.user.id));
      if (!allowed) {
        await poster.postPrivate(
          action.thread,
          action.user.id,
          "Only people taking part in this session can restore its sandbox. Nothing was changed.",
          signal,
        );
        return;
      }
      const sandbox = await options.sandboxes.find(key, { signal });
      if (!sandbox) {
        await poster.postError(
          action.thread,
          "This thread's sandbox no longer exists, so there is nothing to restore.",
          signal,
        );
        return;
      }
      const started = performance.now();
      try {
        await sandbox.restore(record.checkpointId, { signal });
      } catch (error) {
        const reason = error instanceof AppError ? error.message : "an unexpected error";
        await poster.postError(
          action.thread,
          `Restoring to before \`${record.label}\` failed: ${reason}. The sandbox was not marked restored.`,
          signal,
        );
        throw error;
      }
      const durationMs = Math.round(performance.now() - started);
      const restoredBy = action.user.id;
      await store.saveCheckpoint(key, { ...record, restoredBy, restoredAt: new Date().toISOString() });
      await inbox.addNote(
        key,
        `<@${restoredBy}> restored the sandbox to the checkpoint taken before \`${record.label}\`; later changes are gone.`,
      );
      const messageRef = record.messageRef ?? action.messageRef;
      await poster.markRestored(
        action.thread,
        messageRef,
        { label: record.label, restoredBy, durationMs },
        signal,
      );
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
