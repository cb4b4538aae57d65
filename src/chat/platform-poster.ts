import { AppError } from "../errors.ts";
import type { ThreadRef } from "./thread.ts";
import type { ThreadPoster } from "./thread-poster.ts";

/**
 * One poster for workers that serve several platforms: each call goes to the adapter of the
 * thread's platform. A thread of a platform this deployment does not run is a configuration
 * error, said plainly rather than posted somewhere else.
 */
export function createPlatformPoster(
  posters: Partial<Record<ThreadRef["platform"], ThreadPoster>>,
): ThreadPoster {
  const of = (thread: ThreadRef): ThreadPoster => {
    const poster = posters[thread.platform];
    if (!poster)
      throw new AppError("platform_not_configured", `This deployment does not run ${thread.platform}.`);
    return poster;
  };
  return {
    postStatus: (thread, status, signal) => of(thread).postStatus(thread, status, signal),
    updateStatus: (thread, ref, status, signal) => of(thread).updateStatus(thread, ref, status, signal),
    postCommand: (thread, report, signal) => of(thread).postCommand(thread, report, signal),
    postCheckpoint: (thread, notice, signal) => of(thread).postCheckpoint(thread, notice, signal),
    markRestored: (thread, ref, outcome, signal) => of(thread).markRestored(thread, ref, outcome, signal),
    postAnswer: (thread, markdown, signal) => of(thread).postAnswer(thread, markdown, signal),
    postError: (thread, text, signal) => of(thread).postError(thread, text, signal),
    postNotice: (thread, text, signal) => of(thread).postNotice(thread, text, signal),
    postApproval: (thread, request, signal) => of(thread).postApproval(thread, request, signal),
    markApproval: (thread, ref, outcome, signal) => of(thread).markApproval(thread, ref, outcome, signal),
    postPrivate: (thread, userId, text, signal) => of(thread).postPrivate(thread, userId, text, signal),
  };
}
