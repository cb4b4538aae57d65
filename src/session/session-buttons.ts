import type { InboundAction } from "../chat/thread.ts";
import { threadKey } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import { decideApproval } from "./decide-approval.ts";
import { type RestoreDependencies, restoreCheckpoint } from "./restore-checkpoint.ts";
import { type EndSessionDependencies, endSession } from "./sandbox-lifecycle.ts";
import type { SessionInbox, SessionStore } from "./session-store.ts";

export interface ButtonDependencies {
  store: SessionStore;
  inbox: SessionInbox;
  poster: ThreadPoster;
  privilegedUsers: string[];
  restore: RestoreDependencies;
  ending: EndSessionDependencies;
  /** Runs the thread's pending work (a resumed or continued turn) under `owner`. */
  resume(action: InboundAction, owner: string, signal: AbortSignal): Promise<string>;
}

/**
 * Buttons only the session's participants (or configured users) may press, with the refusal
 * each gets. Approve and Deny are not here: only the token's owner decides those.
 */
const participantsOnly: Record<string, string> = {
  restore: "Only people taking part in this session can restore its sandbox. Nothing was changed.",
  stop: "Only people taking part in this session can stop it.",
  end: "Only people taking part in this session can end it.",
  continue: "Only people taking part in this session can extend its budget.",
};

/**
 * What each click does, after ingress acked it. Every refusal and every stale click is said to
 * the clicker alone; nothing changes.
 */
export async function handleButton(
  deps: ButtonDependencies,
  action: InboundAction,
  owner: string,
  signal: AbortSignal,
): Promise<string> {
  const { store, poster } = deps;
  const key = threadKey(action.thread);
  const tell = (text: string) => poster.postPrivate(action.thread, action.user.id, text, signal);

  const what = participantsOnly[action.kind];
  if (
    what &&
    !deps.privilegedUsers.includes(action.user.id) &&
    !(await store.isParticipant(key, action.user.id))
  ) {
    await tell(`Only people taking part in this session can ${what}.`);
    return "refused";
  }

  switch (action.kind) {
    case "restore":
      return restoreCheckpoint(deps.restore, action, signal);
    case "stop": {
      if ((await store.load(key, signal))?.activeTurn?.id !== action.value) {
        await tell("That turn has already ended.");
        return "ended";
      }
      await deps.inbox.requestStop(key, action.user.id);
      return "stop_requested";
    }
    case "end": {
      const session = await store.load(key, signal);
      if (!session || session.endId !== action.value) {
        await tell("That session has already ended.");
        return "ended";
      }
      if (session.activeTurn) {
        await tell("A turn is still running: press Stop first, then End session.");
        return "busy";
      }
      await endSession(deps.ending, action.thread, "ended_by_user", action.user.id);
      return "ended";
    }
    case "continue": {
      const session = await store.load(key, signal);
      const parked = session?.activeTurn?.awaitingBudget;
      if (!session || parked?.continueId !== action.value) {
        await tell("That pause is already over.");
        return "ended";
      }
      await store.save({ ...session, budgetGrants: parked.grants + 1 });
      await poster.postNotice(
        action.thread,
        `<@${action.user.id}> allowed this session another budget.`,
        signal,
      );
      return deps.resume(action, owner, signal);
    }
    case "approve":
    case "deny": {
      const outcome = await decideApproval({ store, poster }, action, signal);
      // The parked turn is work now; this job resumes it (or the running holder will).
      return outcome === "decided" ? deps.resume(action, owner, signal) : outcome;
    }
    case "thread_deleted": {
      if (!(await store.exists(key, signal))) return "ignored";
      await deps.inbox.requestStop(key, "platform");
      await endSession(deps.ending, action.thread, "thread_deleted");
      return "ended";
    }
  }
}
