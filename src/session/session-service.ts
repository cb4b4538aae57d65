import { type AgentTurnDependencies, runAgentTurn, type TurnOutcome } from "../agent/agent-turn.ts";
import { createSessionWorkspace } from "../agent/session-workspace.ts";
import { type InboundAction, type InboundMessage, type ThreadRef, threadKey } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import type { SandboxProvider } from "../sandbox/sandbox.ts";
import { type RestoreOutcome, restoreCheckpoint } from "./restore-checkpoint.ts";
import type { SessionInbox, SessionRecord, SessionStore, ThreadLease } from "./session-store.ts";
import { createTurnRunner, type RunOutcome } from "./turn-runner.ts";

export interface SessionServiceOptions {
  store: SessionStore;
  inbox: SessionInbox;
  lease: ThreadLease;
  sandboxes: SandboxProvider;
  poster: ThreadPoster;
  /** Unique per worker process. */
  instanceId: string;
  leaseTtlMs?: number;
  /** Users who may act in any thread besides its participants. */
  privilegedUsers: string[];
  agent: Omit<AgentTurnDependencies, "store" | "inbox" | "poster" | "workspace">;
  onTurnEnd?: (thread: ThreadRef, outcome: TurnOutcome) => void;
  onRestored?: (durationMs: number) => void;
}

export type AcceptOutcome = RunOutcome | "ignored" | "stop_requested";

/** A message that asks the running turn to stop instead of becoming part of the conversation. */
const stopWords = /^\s*(stop|cancel|abort)[.!]*\s*$/i;

/** What workers do with a thread's messages and button clicks. */
export function createSessionService(options: SessionServiceOptions) {
  const { store, inbox, poster } = options;

  const runner = createTurnRunner({
    store,
    inbox,
    lease: options.lease,
    instanceId: options.instanceId,
    leaseTtlMs: options.leaseTtlMs ?? 10_000,
    async runTurn(session, signal, shouldYield) {
      const workspace = createSessionWorkspace(options.sandboxes, session.key);
      const outcome = await runAgentTurn(
        { ...options.agent, store, inbox, poster, workspace },
        session,
        signal,
        shouldYield,
      );
      options.onTurnEnd?.(session.thread, outcome);
      return outcome;
    },
  });

  function newSession(key: string, thread: ThreadRef): SessionRecord {
    const now = new Date().toISOString();
    return { key, thread, createdAt: now, updatedAt: now, history: [], turns: 0 };
  }

  return {
    /**
     * `owner` is the id of the queue job carrying the message: a re-run of the same job after a
     * crash takes the thread's lease over and resumes the turn from the step log.
     */
    async acceptMessage(message: InboundMessage, owner: string, signal: AbortSignal): Promise<AcceptOutcome> {
      const key = threadKey(message.thread);
      const session = await store.load(key, signal);
      if (!session && !message.mentioned) return "ignored";
      if (!session) {
        // Saved before the first turn, so replies that arrive during it continue the session.
        await store.save(newSession(key, message.thread), signal);
      }
      await store.addParticipant(key, message.user.id);
      if (stopWords.test(message.text)) {
        if (session?.activeTurn) {
          await inbox.requestStop(key, message.user.id);
          return "stop_requested";
        }
        await poster.postPrivate(
          message.thread,
          message.user.id,
          "Nothing is running in this thread.",
          signal,
        );
        return "ignored";
      }
      await inbox.push(key, message);
      return runner.runWhileWork(key, message.thread, owner, signal);
    },

    async handleAction(action: InboundAction, signal: AbortSignal): Promise<RestoreOutcome> {
      return restoreCheckpoint({ ...options, privilegedUsers: options.privilegedUsers }, action, signal);
    },

    /** Deploys: finish or hand over running turns; see TurnRunner.drain. */
    drain: (deadlineMs: number) => runner.drain(deadlineMs),
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
