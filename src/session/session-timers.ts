import type { ThreadRef } from "../chat/thread.ts";

/** Delayed work for sessions: the idle check that ends an ephemeral session nobody uses. */
export interface SessionTimers {
  /** (Re)schedules the thread's idle check for `atMs`; one pending check per thread. */
  scheduleIdleCheck(thread: ThreadRef, atMs: number): Promise<void>;
}
