import type { InboundAction } from "../chat/thread.ts";
import { threadKey } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import type { SessionStore } from "./session-store.ts";

export type DecisionOutcome = "decided" | "refused" | "unknown" | "already_decided";

/**
 * An Approve or Deny click. Only the owner of the token the command would use may decide; the
 * decision is recorded, the buttons replaced by who decided, and the parked turn becomes work.
 */
export async function decideApproval(
  deps: { store: SessionStore; poster: ThreadPoster },
  action: InboundAction,
  signal: AbortSignal,
): Promise<DecisionOutcome> {
  const key = threadKey(action.thread);
  const record = await deps.store.findApproval(key, action.value);
  const tell = (text: string) => deps.poster.postPrivate(action.thread, action.user.id, text, signal);
  if (!record) {
    await tell("That approval request is not part of this session.");
    return "unknown";
  }
  if (record.ownerId !== action.user.id) {
    await tell(
      `Only <@${record.ownerId}> can approve or deny this: the command would run with their account. Nothing was changed.`,
    );
    return "refused";
  }
  const decision = action.kind === "approve" ? "approved" : "denied";
  const decided = await deps.store.decideApproval(key, record.approvalId, decision, action.user.id);
  if (decided?.decision !== decision || decided.decidedBy !== action.user.id) {
    await tell(`This request was already ${decided?.decision ?? "withdrawn"}.`);
    return "already_decided";
  }
  if (record.messageRef) {
    await deps.poster.markApproval(action.thread, record.messageRef, {
      command: record.command,
      decision,
      by: action.user.id,
    });
  }
  return "decided";
}
