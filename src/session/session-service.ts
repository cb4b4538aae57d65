import { randomUUID } from "node:crypto";
import { type AgentTurnDependencies, runAgentTurn, type TurnOutcome } from "../agent/agent-turn.ts";
import { createSessionWorkspace } from "../agent/session-workspace.ts";
import { type InboundAction, type InboundMessage, type ThreadRef, threadKey } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import type { SandboxProvider } from "../sandbox/sandbox.ts";
import { type AccountCommandOptions, handleAccountCommand } from "./account-commands.ts";
import {
  endSession,
  type LifecyclePolicy,
  sandboxKeyFor,
  sweepOrphanSandboxes,
} from "./sandbox-lifecycle.ts";
import { handleButton } from "./session-buttons.ts";
import type { SessionInbox, SessionRecord, SessionStore, ThreadLease } from "./session-store.ts";
import type { SessionTimers } from "./session-timers.ts";
import { createTurnRunner, type RunOutcome, type TurnRunnerOptions } from "./turn-runner.ts";

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
  agent: Omit<AgentTurnDependencies, "store" | "inbox" | "poster" | "workspace" | "offerEndSession">;
  /** `connect github` and friends; absent when no account provider is configured. */
  accounts?: Omit<AccountCommandOptions, "poster">;
  lifecycle: LifecyclePolicy;
  timers?: SessionTimers;
  fairness?: TurnRunnerOptions["fairness"];
  onTurnEnd?: (thread: ThreadRef, outcome: TurnOutcome) => void;
  onRestored?: (durationMs: number) => void;
}

export type AcceptOutcome = RunOutcome | "ignored" | "stop_requested" | "account_command";

/** A message that asks the running turn to stop instead of becoming part of the conversation. */
const stopWords = /^\s*(stop|cancel|abort)[.!]*\s*$/i;

/** What workers do with a thread's messages and button clicks. */
export function createSessionService(options: SessionServiceOptions) {
  const { store, inbox, poster, lifecycle } = options;
  const ending = { store, sandboxes: options.sandboxes, poster, policy: lifecycle };

  const runner = createTurnRunner({
    store,
    inbox,
    lease: options.lease,
    instanceId: options.instanceId,
    leaseTtlMs: options.leaseTtlMs ?? 10_000,
    ...(options.fairness ? { fairness: options.fairness } : {}),
    async runTurn(session, signal, shouldYield) {
      const sandboxKey = sandboxKeyFor(session.thread, lifecycle);
      const workspace = createSessionWorkspace({
        provider: options.sandboxes,
        sandboxKey,
        beforeOpen: async (openSignal) => {
          // Registered before it exists, so the sweeper never takes a sandbox being created.
          await store.addSandboxKey(sandboxKey);
          if (lifecycle.lifecycle !== "persistent") return;
          const { name, state } = await options.sandboxes.describe(sandboxKey, { signal: openSignal });
          const shown = state === "absent" ? "new, creating it" : state;
          await poster.postNotice(session.thread, `Using the persistent sandbox \`${name}\` (${shown}).`);
        },
        onVanished: async () => {
          await poster.postError(
            session.thread,
            "This thread's sandbox disappeared (deleted from outside, or its machine is gone). The next command starts in a fresh one; earlier files and checkpoints are lost.",
          );
        },
      });
      const outcome = await runAgentTurn(
        {
          ...options.agent,
          store,
          inbox,
          poster,
          workspace,
          offerEndSession: lifecycle.lifecycle === "ephemeral",
        },
        session,
        signal,
        shouldYield,
      );
      options.onTurnEnd?.(session.thread, outcome);
      if (lifecycle.lifecycle === "ephemeral") {
        await options.timers?.scheduleIdleCheck(session.thread, Date.now() + lifecycle.idleMs);
      }
      return outcome;
    },
  });

  function newSession(key: string, thread: ThreadRef): SessionRecord {
    const now = new Date().toISOString();
    return { key, thread, createdAt: now, updatedAt: now, history: [], turns: 0, endId: randomUUID() };
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
      if (session?.activeTurn?.awaitingBudget) {
        await poster.postPrivate(
          message.thread,
          message.user.id,
          "This session is paused at its budget; I will read your message after someone presses Continue.",
          signal,
        );
        return "queued";
      }
      return runner.runWhileWork(key, message.thread, owner, signal, message.user.id);
    },

    /** `owner` is the action job's id, as for messages. */
    handleAction: (action: InboundAction, owner: string, signal: AbortSignal): Promise<string> =>
      handleButton(
        {
          store,
          inbox,
          poster,
          privilegedUsers: options.privilegedUsers,
          restore: options,
          ending,
          resume: (clicked, jobOwner, jobSignal) =>
            runner.runWhileWork(
              threadKey(clicked.thread),
              clicked.thread,
              jobOwner,
              jobSignal,
              clicked.user.id,
            ),
        },
        action,
        owner,
        signal,
      ),

    /** The idle timer fired: end the session if nothing happened since, else look again later. */
    async checkIdle(thread: ThreadRef): Promise<"ended" | "rescheduled" | "gone"> {
      const session = await store.load(threadKey(thread));
      if (!session) return "gone";
      const idleUntil = Date.parse(session.updatedAt) + lifecycle.idleMs;
      if (session.activeTurn || idleUntil > Date.now()) {
        await options.timers?.scheduleIdleCheck(
          thread,
          Math.max(idleUntil, Date.now() + Math.min(60_000, lifecycle.idleMs)),
        );
        return "rescheduled";
      }
      await endSession(ending, thread, "idle");
      return "ended";
    },

    /** Orphans a crash left behind: see sweepOrphanSandboxes. */
    sweep: () => sweepOrphanSandboxes(ending),

    /** Deploys: finish or hand over running turns; see TurnRunner.drain. */
    drain: (deadlineMs: number) => runner.drain(deadlineMs),
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
