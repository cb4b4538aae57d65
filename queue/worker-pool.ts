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

type Schema<T> = { safeParse(data: unknown): { success: true; data: T } | { success: false } };

/** One queue's work: its payload (validated once per job), the thread it is about, and what to do. */
interface JobProcessor<T> {
  schema: Schema<T>;
  thread(data: T): ThreadRef;
  concurrency: number;
  run(data: T, job: Job, token: string | undefined, signal: AbortSignal): Promise<unknown>;
}

const processor = <T>(definition: JobProcessor<T>) => definition as unknown as JobProcessor<unknown>;

/** The workers that run turns, button actions and timers. Each job is validated before it is trusted. */
export function startWorkerPool(options: WorkerPoolOptions) {
  const { sessions, logger, routing } = options;
  const base = { connection: options.connection, prefix: options.prefix, ...stallSettings };

  const processors: Record<string, JobProcessor<unknown>> = {
    [queueNames.turns]: processor({
      schema: turnJobSchema,
      thread: ({ message }) => message.thread,
      concurrency: options.concurrency,
      async run({ message }, job, token, signal) {
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
    }),
    [queueNames.actions]: processor({
      schema: actionJobSchema,
      thread: ({ action }) => action.thread,
      concurrency: options.concurrency,
      async run({ action }, job, token, signal) {
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
    }),
    [queueNames.timers]: processor({
      schema: idleCheckJobSchema,
      thread: ({ thread }) => thread,
      concurrency: 1,
      async run({ thread }, job) {
        const outcome = await sessions.checkIdle(thread);
        logger.info({ jobId: job.id, thread, outcome }, "idle check done");
        return outcome;
      },
    }),
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
  for (const [name, definition] of Object.entries(processors)) {
    const handle = async (job: Job, token?: string, signal?: AbortSignal) => {
      options.onJobStart?.(name, Date.now() - job.timestamp);
      const data = parse(definition.schema, job);
      if (routing && job.queueName === name) {
        const thread = definition.thread(data);
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
      return definition.run(data, job, token, signal ?? neverAborted);
    };
    const names = routing ? [name, `${name}@${routing.affinity.hostId}`] : [name];
    for (const queueName of names) {
      workers.push(new Worker(queueName, handle, { ...base, concurrency: definition.concurrency }));
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

function parse<T>(schema: Schema<T>, job: Job): T {
  const result = schema.safeParse(job.data);
  if (!result.success) throw new UnrecoverableError(`job ${job.id} has an invalid payload`);
  return result.data;
}
