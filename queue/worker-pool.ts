import {
  type ConnectionOptions,
  DelayedError,
  type Job,
  UnrecoverableError,
  WaitingError,
  Worker,
} from "bullmq";
import type { Logger } from "pino";
import type { SessionService } from "../src/session/session-service.ts";
import { isShutdownHandover, TurnDeferred } from "../src/session/turn-runner.ts";
import { actionJobSchema, idleCheckJobSchema, queueNames, turnJobSchema } from "./job-schemas.ts";

export interface WorkerPoolOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  sessions: SessionService;
  logger: Logger;
  /** How long a SIGTERM lets running steps finish before their commands are killed. */
  shutdownDeadlineMs?: number;
  onJobStart?: (queue: string, waitedMs: number) => void;
}

/**
 * A worker holds a job's lock and renews it every lockDuration/2 from the event loop, which long
 * commands never block (they are child processes). So a short lock is safe, and a dead worker's
 * turn is picked up by another one within lockDuration + stalledInterval: seconds, not a minute.
 */
export const stallSettings = { lockDuration: 8_000, stalledInterval: 4_000, maxStalledCount: 5 };

/** The workers that run turns and button actions. Each job is validated before it is trusted. */
export function startWorkerPool(options: WorkerPoolOptions) {
  const { sessions, logger } = options;
  const shared = {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    ...stallSettings,
  };

  const turns = new Worker(
    queueNames.turns,
    async (job: Job, token?: string, signal?: AbortSignal) => {
      const { message } = parse(turnJobSchema, job);
      options.onJobStart?.(queueNames.turns, Date.now() - job.timestamp);
      try {
        const outcome = await sessions.acceptMessage(message, String(job.id), signal ?? neverAborted);
        logger.info({ jobId: job.id, thread: message.thread, outcome }, "turn job done");
        return outcome;
      } catch (error) {
        if (error instanceof TurnDeferred) {
          // At a workspace or user cap: come back shortly, holding no worker in the meantime.
          await job.moveToDelayed(Date.now() + 500 + Math.floor(Math.random() * 500), token);
          throw new DelayedError();
        }
        if (!isShutdownHandover(error)) throw error;
        // Back to the wait list at once, without spending an attempt: another worker resumes it.
        await job.moveToWait(token);
        logger.info({ jobId: job.id, thread: message.thread }, "turn handed over for shutdown");
        throw new WaitingError();
      }
    },
    shared,
  );
  const actions = new Worker(
    queueNames.actions,
    async (job: Job, token?: string, signal?: AbortSignal) => {
      const { action } = parse(actionJobSchema, job);
      options.onJobStart?.(queueNames.actions, Date.now() - job.timestamp);
      try {
        const outcome = await sessions.handleAction(action, String(job.id), signal ?? neverAborted);
        logger.info({ jobId: job.id, thread: action.thread, kind: action.kind, outcome }, "action job done");
        return outcome;
      } catch (error) {
        if (!isShutdownHandover(error)) throw error;
        await job.moveToWait(token);
        throw new WaitingError();
      }
    },
    shared,
  );
  const timers = new Worker(
    queueNames.timers,
    async (job: Job) => {
      const { thread } = parse(idleCheckJobSchema, job);
      const outcome = await sessions.checkIdle(thread);
      logger.info({ jobId: job.id, thread, outcome }, "idle check done");
      return outcome;
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1, ...stallSettings },
  );
  for (const worker of [turns, actions, timers]) {
    worker.on("failed", (job, error) => logger.error({ jobId: job?.id, err: error }, "job failed"));
    worker.on("error", (error) => logger.error({ err: error }, "worker error"));
  }
  return {
    /** Stops taking jobs, lets running steps finish up to the deadline, hands the rest over. */
    async close() {
      const closing = Promise.all([turns.close(), actions.close(), timers.close()]);
      await sessions.drain(options.shutdownDeadlineMs ?? 20_000);
      await closing;
    },
  };
}

const neverAborted = new AbortController().signal;

function parse<T>(
  schema: { safeParse(data: unknown): { success: true; data: T } | { success: false } },
  job: Job,
): T {
  const result = schema.safeParse(job.data);
  if (!result.success) throw new UnrecoverableError(`job ${job.id} has an invalid payload`);
  return result.data;
}
