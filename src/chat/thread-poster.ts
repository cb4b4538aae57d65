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

/**
 * How workers speak in a thread. Implemented by each chat adapter (`bots/*`), which renders
 * these to its platform (Block Kit, components) and respects its limits.
 */
export interface ThreadPoster {
  postStatus(thread: ThreadRef, text: string, signal?: AbortSignal): Promise<PostedMessageRef>;
  updateStatus(thread: ThreadRef, ref: PostedMessageRef, text: string, signal?: AbortSignal): Promise<void>;
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
  /** Visible to one user only (Slack ephemeral, Discord ephemeral follow-up). */
  postPrivate(thread: ThreadRef, userId: string, text: string, signal?: AbortSignal): Promise<void>;
}
