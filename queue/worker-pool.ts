import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Logger } from "pino";
import type { SessionService } from "../src/session/session-service.ts";
import { actionJobSchema, queueNames, turnJobSchema } from "./job-schemas.ts";

export interface WorkerPoolOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  sessions: SessionService;
  logger: Logger;
}

/** The workers that run turns and button actions. Each job is validated before it is trusted. */
export function startWorkerPool(options: WorkerPoolOptions) {
  const { sessions, logger } = options;
  const shared = { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency };

  const turns = new Worker(
    queueNames.turns,
    async (job: Job, _token?: string, signal?: AbortSignal) => {
      const { message } = parse(turnJobSchema, job);
      const outcome = await sessions.acceptMessage(message, signal ?? new AbortController().signal);
      logger.info({ jobId: job.id, thread: message.thread, outcome }, "turn job done");
      return outcome;
    },
    shared,
  );
  const actions = new Worker(
    queueNames.actions,
    async (job: Job, _token?: string, signal?: AbortSignal) => {
      const { action } = parse(actionJobSchema, job);
      await sessions.restore(action, signal ?? new AbortController().signal);
      logger.info({ jobId: job.id, thread: action.thread, kind: action.kind }, "action job done");
    },
    shared,
  );
  for (const worker of [turns, actions]) {
    worker.on("failed", (job, error) => logger.error({ jobId: job?.id, err: error }, "job failed"));
    worker.on("error", (error) => logger.error({ err: error }, "worker error"));
  }
  return {
    async close() {
      await Promise.all([turns.close(), actions.close()]);
    },
  };
}

function parse<T>(
  schema: { safeParse(data: unknown): { success: true; data: T } | { success: false } },
  job: Job,
): T {
  const result = schema.safeParse(job.data);
  if (!result.success) throw new UnrecoverableError(`job ${job.id} has an invalid payload`);
  return result.data;
}
