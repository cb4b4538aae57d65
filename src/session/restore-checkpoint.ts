import type { InboundAction } from "../chat/thread.ts";
import { threadKey } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import { AppError } from "../errors.ts";
import type { SandboxProvider } from "../sandbox/sandbox.ts";
import type { SessionInbox, SessionStore } from "./session-store.ts";

export interface RestoreDependencies {
  store: SessionStore;
  inbox: SessionInbox;
  sandboxes: SandboxProvider;
  poster: ThreadPoster;
  onRestored?: (durationMs: number) => void;
}

export type RestoreOutcome = "restored" | "unknown_checkpoint" | "no_sandbox" | "failed";

/**
 * A Restore click by someone allowed to press it (session-buttons checks that): restore, and
 * edit the checkpoint message to say who restored what and how long it took. Failures are said
 * in the thread and never reported as "restored".
 */
export async function restoreCheckpoint(
  deps: RestoreDependencies,
  action: InboundAction,
  signal: AbortSignal,
): Promise<RestoreOutcome> {
  const { store, poster } = deps;
  const key = threadKey(action.thread);
  const record = await store.findCheckpoint(key, action.value);
  if (!record) {
    await poster.postPrivate(
      action.thread,
      action.user.id,
      "That checkpoint is not part of this session.",
      signal,
    );
    return "unknown_checkpoint";
  }
  const sandbox = await deps.sandboxes.find(key, { signal });
  if (!sandbox) {
    await poster.postError(
      action.thread,
      "This thread's sandbox no longer exists, so there is nothing to restore.",
      signal,
    );
    return "no_sandbox";
  }
  const started = performance.now();
  try {
    await sandbox.restore(record.checkpointId, { signal });
  } catch (error) {
    const reason = error instanceof AppError ? error.message : "an unexpected error";
    await poster.postError(
      action.thread,
      `Restoring to before \`${record.label}\` failed: ${reason}. The sandbox was not restored.`,
      signal,
    );
    return "failed";
  }
  const durationMs = Math.round(performance.now() - started);
  deps.onRestored?.(durationMs);
  const restoredBy = action.user.id;
  await store.saveCheckpoint(key, { ...record, restoredBy, restoredAt: new Date().toISOString() });
  await deps.inbox.addNote(
    key,
    `<@${restoredBy}> restored the sandbox to the checkpoint taken before \`${record.label}\`; later changes are gone.`,
  );
  await poster.markRestored(
    action.thread,
    record.messageRef ?? action.messageRef,
    { label: record.label, restoredBy, durationMs },
    signal,
  );
  return "restored";
}
