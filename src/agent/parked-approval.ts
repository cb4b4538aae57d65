import type { ThreadPoster } from "../chat/thread-poster.ts";
import type { SessionRecord, SessionStore } from "../session/session-store.ts";

/**
 * A turn parked on an Approve / Deny resumes either because its owner decided (the decision is
 * handed to the tool call) or because someone wrote in the thread first: then the request
 * expires, the buttons go, and the model learns the command did not run.
 */
export async function settleParkedApproval(
  session: SessionRecord,
  store: SessionStore,
  poster: ThreadPoster,
): Promise<{ callId: string; decision: "approved" | "denied" } | undefined> {
  const parked = session.activeTurn?.awaitingApproval;
  if (!session.activeTurn || !parked) return undefined;
  session.activeTurn.awaitingApproval = undefined;
  // Expire it unless its owner decided first: whichever is recorded first wins.
  const record = await store.decideApproval(session.key, parked.approvalId, "expired");
  if (record?.decision === "approved" || record?.decision === "denied") {
    return { callId: parked.callId, decision: record.decision };
  }
  if (record?.messageRef) {
    await poster.markApproval(session.thread, record.messageRef, {
      command: record.command,
      decision: "expired",
    });
  }
  session.history.push({
    role: "tool",
    toolCallId: parked.callId,
    content:
      "Not run: it was waiting for its account owner's approval when new messages arrived. Ask again if it is still needed.",
  });
  return undefined;
}
