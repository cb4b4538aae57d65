import { type ConnectionOptions, Queue } from "bullmq";
import { threadKey } from "../src/chat/thread.ts";
import type { SessionTimers } from "../src/session/session-timers.ts";
import { jobIdFor } from "./job-ids.ts";
import { type IdleCheckJob, queueNames } from "./job-schemas.ts";

/**
 * One delayed idle-check job per thread, pushed forward on every activity: a pending check is
 * re-delayed, a missing one added. The check itself re-schedules when it finds recent activity.
 */
export function createBullSessionTimers(options: {
  connection: ConnectionOptions;
  prefix: string;
}): SessionTimers & { close(): Promise<void> } {
  const timers = new Queue<IdleCheckJob>(queueNames.timers, {
    connection: options.connection,
    prefix: options.prefix,
  });
  return {
    async scheduleIdleCheck(thread, atMs) {
      const jobId = jobIdFor("idle", threadKey(thread));
      const delay = Math.max(0, atMs - Date.now());
      const pending = await timers.getJob(jobId);
      if (pending && (await pending.isDelayed())) {
        await pending.changeDelay(delay);
        return;
      }
      // Active (checking right now) or finished: a new one; an active check re-schedules itself.
      if (pending && !(await pending.isActive())) await pending.remove().catch(() => {});
      await timers.add("idle", { thread }, { jobId, delay, removeOnComplete: true, removeOnFail: 100 });
    },
    close: () => timers.close(),
  };
}
