import type { ThreadRef } from "./thread.ts";

/** Id of a posted message, enough for the poster to edit it later. */
export type PostedMessageRef = string;

export interface CommandReport {
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Already scrubbed of secrets. The poster trims it to fit the platform. */
  output: string;
  risk: "read" | "write" | "destructive";
}

export interface CheckpointNotice {
  /** Opaque id carried by the Restore button. */
  restoreId: string;
  /** The step the checkpoint protects, e.g. the command about to run. */
  label: string;
}

export interface RestoreOutcome {
  label: string;
  restoredBy: string;
  durationMs: number;
}

export interface StatusView {
  text: string;
  /** When set, the status carries a Stop button with this opaque id (a turn is running). */
  stopId?: string;
  /** When set, an End session button (ephemeral sandboxes: ends the session, destroys the sandbox). */
  endSessionId?: string;
  /** When set, a Continue button: the session is paused at its budget. */
  continueId?: string;
}

export interface ApprovalRequest {
  /** Opaque id carried by the Approve and Deny buttons. */
  approvalId: string;
  command: string;
  /** Display names of the accounts the command would use, e.g. "GitHub". */
  accounts: string[];
  /** The token's owner: the only person who may approve. */
  ownerId: string;
  risk: "read" | "write" | "destructive";
}

export interface ApprovalOutcome {
  command: string;
  decision: "approved" | "denied" | "expired";
  /** Who decided; absent when the request expired. */
  by?: string;
}

/**
 * How workers speak in a thread. Implemented by each chat adapter (`bots/*`), which renders
 * these to its platform (Block Kit, components) and respects its limits.
 */
export interface ThreadPoster {
  postStatus(thread: ThreadRef, status: StatusView, signal?: AbortSignal): Promise<PostedMessageRef>;
  /** Edits in place; adapters coalesce bursts (latest wins) to respect edit rate limits. */
  updateStatus(
    thread: ThreadRef,
    ref: PostedMessageRef,
    status: StatusView,
    signal?: AbortSignal,
  ): Promise<void>;
  postCommand(thread: ThreadRef, report: CommandReport, signal?: AbortSignal): Promise<PostedMessageRef>;
  postCheckpoint(
    thread: ThreadRef,
    notice: CheckpointNotice,
    signal?: AbortSignal,
  ): Promise<PostedMessageRef>;
  markRestored(
    thread: ThreadRef,
    ref: PostedMessageRef,
    outcome: RestoreOutcome,
    signal?: AbortSignal,
  ): Promise<void>;
  postAnswer(thread: ThreadRef, markdown: string, signal?: AbortSignal): Promise<PostedMessageRef>;
  postError(thread: ThreadRef, text: string, signal?: AbortSignal): Promise<PostedMessageRef>;
  /** A neutral line for everyone: audit lines ("ran as @alice with GitHub"), confirmations. */
  postNotice(thread: ThreadRef, text: string, signal?: AbortSignal): Promise<PostedMessageRef>;
  postApproval(thread: ThreadRef, request: ApprovalRequest, signal?: AbortSignal): Promise<PostedMessageRef>;
  markApproval(
    thread: ThreadRef,
    ref: PostedMessageRef,
    outcome: ApprovalOutcome,
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * Visible to one user only (Slack ephemeral, a Discord DM). It may carry a sign-in link, so
   * an adapter that cannot reach the user privately must fail rather than post it publicly.
   */
  postPrivate(thread: ThreadRef, userId: string, text: string, signal?: AbortSignal): Promise<void>;
}
