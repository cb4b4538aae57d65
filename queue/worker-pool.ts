import {
  type ConnectionOptions,
  DelayedError,
  type Job,
  Queue,
  UnrecoverableError,
  WaitingError,
  Worker,
} from "bullmq";
import type { Logger } from "pino";
import type { ThreadRef } from "../src/chat/thread.ts";
import type { SessionService } from "../src/session/session-service.ts";
import { isShutdownHandover, TurnDeferred } from "../src/session/turn-runner.ts";
import { actionJobSchema, idleCheckJobSchema, queueNames, turnJobSchema } from "./job-schemas.ts";
import type { HostAffinity } from "./redis-host-affinity.ts";

export interface WorkerPoolOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  sessions: SessionService;
  logger: Logger;
  /** How long a SIGTERM lets running steps finish before their commands are killed. */
  shutdownDeadlineMs?: number;
  onJobStart?: (queue: string, waitedMs: number) => void;
  /**
   * Local sandboxes live on one host: with this set, a job whose thread's sandbox is held by
   * another host is forwarded to that host's own queue (`<queue>@<host>`), which only it reads.
   */
  routing?: {
    affinity: HostAffinity;
    sandboxKeyOf(thread: ThreadRef): string;
    onTakeOver?(thread: ThreadRef, previousHost: string): Promise<void>;
  };
}

/**
 * A worker holds a job's lock and renews it every lockDuration/2 from the event loop, which long
 * commands never block (they are child processes). So a short lock is safe, and a dead worker's
 * turn is picked up by another one within lockDuration + 2 × stalledInterval (a stall check first
 * marks a job, the next one moves it): seconds, not a minute. bench:pool measures it.
 */
export const stallSettings = { lockDuration: 8_000, stalledInterval: 4_000, maxStalledCount: 5 };

type Processor = (job: Job, token: string | undefined, signal: AbortSignal) => Promise<unknown>;

/** The workers that run turns, button actions and timers. Each job is validated before it is trusted. */
export function startWorkerPool(options: WorkerPoolOptions) {
  const { sessions, logger, routing } = options;
  const base = { connection: options.connection, prefix: options.prefix, ...stallSettings };

  const processors: Record<string, { thread(job: Job): ThreadRef; run: Processor; concurrency: number }> = {
    [queueNames.turns]: {
      thread: (job) => parse(turnJobSchema, job).message.thread,
      concurrency: options.concurrency,
      async run(job, token, signal) {
        const { message } = parse(turnJobSchema, job);
        try {
          const outcome = await sessions.acceptMessage(message, String(job.id), signal);
          logger.info({ jobId: job.id, thread: message.thread, outcome }, "turn job done");
          return outcome;
        } catch (error) {
          if (error instanceof TurnDeferred) {
            // At a workspace or user cap: come back shortly, holding no worker in the meantime.
            await job.moveToDelayed(Date.now() + 500 + Math.floor(Math.random() * 500), token);
            throw new DelayedError();
          }
          return handOverOnShutdown(error, job, token);
        }
      },
    },
    [queueNames.actions]: {
      thread: (job) => parse(actionJobSchema, job).action.thread,
      concurrency: options.concurrency,
      async run(job, token, signal) {
        const { action } = parse(actionJobSchema, job);
        try {
          const outcome = await sessions.handleAction(action, String(job.id), signal);
          logger.info(
            { jobId: job.id, thread: action.thread, kind: action.kind, outcome },
            "action job done",
          );
          return outcome;
        } catch (error) {
          return handOverOnShutdown(error, job, token);
        }
      },
    },
    [queueNames.timers]: {
      thread: (job) => parse(idleCheckJobSchema, job).thread,
      concurrency: 1,
      async run(job) {
        const { thread } = parse(idleCheckJobSchema, job);
        const outcome = await sessions.checkIdle(thread);
        logger.info({ jobId: job.id, thread, outcome }, "idle check done");
        return outcome;
      },
    },
  };

  async function handOverOnShutdown(error: unknown, job: Job, token: string | undefined): Promise<never> {
    if (!isShutdownHandover(error)) throw error;
    // Back to the wait list at once, without spending an attempt: another worker resumes it.
    await job.moveToWait(token);
    logger.info({ jobId: job.id }, "job handed over for shutdown");
    throw new WaitingError();
  }

  const forwardQueues = new Map<string, Queue>();
  const forwardTo = (queueName: string) => {
    let queue = forwardQueues.get(queueName);
    if (!queue) {
      queue = new Queue(queueName, { connection: options.connection, prefix: options.prefix });
      forwardQueues.set(queueName, queue);
    }
    return queue;
  };

  const workers: Worker[] = [];
  for (const [name, processor] of Object.entries(processors)) {
    const handle = async (job: Job, token?: string, signal?: AbortSignal) => {
      options.onJobStart?.(name, Date.now() - job.timestamp);
      if (routing && job.queueName === name) {
        const thread = processor.thread(job);
        const { owner, tookOverFrom } = await routing.affinity.ownerOf(routing.sandboxKeyOf(thread));
        if (owner !== routing.affinity.hostId) {
          await forwardTo(`${name}@${owner}`).add(job.name, job.data, {
            jobId: job.id,
            removeOnComplete: { age: 24 * 3600 },
            removeOnFail: { age: 24 * 3600 },
          });
          logger.info(
            { jobId: job.id, thread, host: owner },
            "job forwarded to the host holding its sandbox",
          );
          return "forwarded";
        }
        if (tookOverFrom) await routing.onTakeOver?.(thread, tookOverFrom);
      }
      return processor.run(job, token, signal ?? neverAborted);
    };
    const names = routing ? [name, `${name}@${routing.affinity.hostId}`] : [name];
    for (const queueName of names) {
      workers.push(new Worker(queueName, handle, { ...base, concurrency: processor.concurrency }));
    }
  }
  for (const worker of workers) {
    worker.on("failed", (job, error) => logger.error({ jobId: job?.id, err: error }, "job failed"));
    worker.on("error", (error) => logger.error({ err: error }, "worker error"));
  }
  return {
    /** Stops taking jobs, lets running steps finish up to the deadline, hands the rest over. */
    async close() {
      const closing = Promise.all(workers.map((worker) => worker.close()));
      await sessions.drain(options.shutdownDeadlineMs ?? 20_000);
      await closing;
      await Promise.all([...forwardQueues.values()].map((queue) => queue.close()));
      routing?.affinity.close();
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
