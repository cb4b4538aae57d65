import { type AgentTurnDependencies, runAgentTurn, type TurnOutcome } from "../agent/agent-turn.ts";
import { createSessionWorkspace } from "../agent/session-workspace.ts";
import { type InboundAction, type InboundMessage, type ThreadRef, threadKey } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import type { SandboxProvider } from "../sandbox/sandbox.ts";
import { type AccountCommandOptions, handleAccountCommand } from "./account-commands.ts";
import { decideApproval } from "./decide-approval.ts";
import { restoreCheckpoint } from "./restore-checkpoint.ts";
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
  /** `connect github` and friends; absent when no account provider is configured. */
  accounts?: Omit<AccountCommandOptions, "poster">;
  onTurnEnd?: (thread: ThreadRef, outcome: TurnOutcome) => void;
  onRestored?: (durationMs: number) => void;
}

export type AcceptOutcome = RunOutcome | "ignored" | "stop_requested" | "account_command";

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

  async function mayAct(key: string, userId: string): Promise<boolean> {
    return options.privilegedUsers.includes(userId) || store.isParticipant(key, userId);
  }

  async function requestStop(key: string, userId: string, thread: ThreadRef, signal: AbortSignal) {
    if ((await store.load(key, signal))?.activeTurn) {
      await inbox.requestStop(key, userId);
      return true;
    }
    await poster.postPrivate(thread, userId, "Nothing is running in this thread.", signal);
    return false;
  }

  return {
    /**
     * `owner` is the id of the queue job carrying the message: a re-run of the same job after a
     * crash takes the thread's lease over and resumes the turn from the step log.
     */
    async acceptMessage(message: InboundMessage, owner: string, signal: AbortSignal): Promise<AcceptOutcome> {
      if (
        options.accounts &&
        (await handleAccountCommand({ ...options.accounts, poster }, message, signal))
      ) {
        return "account_command";
      }
      const key = threadKey(message.thread);
      const session = await store.load(key, signal);
      if (!session && !message.mentioned) return "ignored";
      if (!session) {
        // Saved before the first turn, so replies that arrive during it continue the session.
        await store.save(newSession(key, message.thread), signal);
      }
      await store.addParticipant(key, message.user.id);
      if (stopWords.test(message.text)) {
        return (await requestStop(key, message.user.id, message.thread, signal))
          ? "stop_requested"
          : "ignored";
      }
      await inbox.push(key, message);
      return runner.runWhileWork(key, message.thread, owner, signal);
    },

    /** `owner` is the action job's id, as for messages. */
    async handleAction(action: InboundAction, owner: string, signal: AbortSignal): Promise<string> {
      const key = threadKey(action.thread);
      switch (action.kind) {
        case "restore":
          return restoreCheckpoint({ ...options, privilegedUsers: options.privilegedUsers }, action, signal);
        case "stop": {
          if (!(await mayAct(key, action.user.id))) {
            await poster.postPrivate(
              action.thread,
              action.user.id,
              "Only people taking part in this session can stop it.",
              signal,
            );
            return "refused";
          }
          const turn = (await store.load(key, signal))?.activeTurn;
          if (turn?.id !== action.value) {
            await poster.postPrivate(action.thread, action.user.id, "That turn has already ended.", signal);
            return "ended";
          }
          await inbox.requestStop(key, action.user.id);
          return "stop_requested";
        }
        case "approve":
        case "deny": {
          const outcome = await decideApproval({ store, poster }, action, signal);
          if (outcome !== "decided") return outcome;
          // The parked turn is work now; this job resumes it (or the running holder will).
          return runner.runWhileWork(key, action.thread, owner, signal);
        }
      }
    },

    /** Deploys: finish or hand over running turns; see TurnRunner.drain. */
    drain: (deadlineMs: number) => runner.drain(deadlineMs),
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
