import { type ConnectionOptions, Queue } from "bullmq";
import { threadKey } from "../src/chat/thread.ts";
import type { TurnQueue } from "../src/chat/turn-queue.ts";
import type { SessionStore } from "../src/session/session-store.ts";
import { jobIdFor } from "./job-ids.ts";
import { type ActionJob, queueNames, type TurnJob } from "./job-schemas.ts";

export interface BullTurnQueueOptions {
  connection: ConnectionOptions;
  prefix: string;
  sessions: Pick<SessionStore, "exists" | "isParticipant">;
  /** Users who may act in any thread (config `access.restoreUsers`). */
  privilegedUsers: string[];
  onError?: (error: Error) => void;
}

/** Finished jobs are kept for a day so a platform's retry of the same event finds its job id. */
const keepForDedupe = { age: 24 * 3600, count: 50_000 };

export function createBullTurnQueue(
  options: BullTurnQueueOptions,
): TurnQueue & { turns: Queue<TurnJob>; close(): Promise<void> } {
  const shared = { connection: options.connection, prefix: options.prefix };
  const turns = new Queue<TurnJob>(queueNames.turns, shared);
  const actions = new Queue<ActionJob>(queueNames.actions, shared);
  // BullMQ re-emits connection errors on the queue; unheard, Node would print every one.
  for (const queue of [turns, actions]) queue.on("error", options.onError ?? (() => {}));
  return {
    turns,
    async enqueueMessage(message) {
      await turns.add("turn", { message }, { jobId: jobIdFor("message", message.messageId), ...retention });
    },
    async enqueueAction(action) {
      await actions.add("action", { action }, { jobId: jobIdFor("action", action.actionId), ...retention });
    },
    hasSession: (thread) => options.sessions.exists(threadKey(thread)),
    async mayAct(thread, userId) {
      return (
        options.privilegedUsers.includes(userId) || options.sessions.isParticipant(threadKey(thread), userId)
      );
    },
    async close() {
      await Promise.all([turns.close(), actions.close()]);
    },
  };
}

const retention = {
  removeOnComplete: keepForDedupe,
  removeOnFail: keepForDedupe,
  attempts: 3,
  backoff: { type: "exponential", delay: 1000 },
};
