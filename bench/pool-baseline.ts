import { type ConnectionOptions, Queue, Worker } from "bullmq";
import { type Percentiles, percentiles, runLimited } from "./pool-stats.ts";

export interface BareBullmqOptions {
  connection: ConnectionOptions;
  prefix: string;
  jobs: number;
  /** Queue.add calls in flight, like ingress handlers under the burst. */
  concurrency: number;
  /** Worker concurrency, the same as the app's pool. */
  workers: number;
  timeoutMs: number;
}

export interface BareBullmqResult {
  queueAddMs: Percentiles;
  /** A no-op Worker draining `jobs` already waiting: BullMQ's ceiling on this Redis. */
  drainJobsPerSecond: number;
  /** Jobs added in a burst while the no-op Worker runs, as in the app run. */
  burstEnqueueToStartMs: Percentiles;
  burstJobsPerSecond: number;
}

// The app's job options (queue/bullmq-turn-queue.ts), so add latency compares like with like.
const jobOptions = {
  removeOnComplete: { age: 3600, count: 50_000 },
  removeOnFail: { age: 3600, count: 50_000 },
  attempts: 3,
  backoff: { type: "exponential", delay: 1000 },
};

/** Plain BullMQ with the same N, concurrency and Redis as the app run, for comparison. */
export async function measureBareBullmq(options: BareBullmqOptions): Promise<BareBullmqResult> {
  const shared = { connection: options.connection, prefix: options.prefix };
  const queue = new Queue("bare", shared);
  try {
    const addLatencies: number[] = [];
    await runLimited(options.jobs, options.concurrency, async (index) => {
      const started = performance.now();
      await queue.add("job", { index }, { jobId: `drain-${index}`, ...jobOptions });
      addLatencies.push(performance.now() - started);
    });

    const drainStarted = performance.now();
    await runWorkerUntil(options, options.jobs, async () => {});
    const drainMs = performance.now() - drainStarted;

    const burstStarted = performance.now();
    await runWorkerUntil(options, options.jobs, () =>
      runLimited(options.jobs, options.concurrency, async (index) => {
        await queue.add("job", { index }, { jobId: `burst-${index}`, ...jobOptions });
      }),
    );
    const burstMs = performance.now() - burstStarted;
    const burstJobs = (await queue.getJobs(["completed"], 0, -1)).filter((job) =>
      job.id?.startsWith("burst-"),
    );
    const waits = burstJobs.map((job) => (job.processedOn ?? job.timestamp) - job.timestamp);

    return {
      queueAddMs: percentiles(addLatencies),
      drainJobsPerSecond: perSecond(options.jobs, drainMs),
      burstEnqueueToStartMs: percentiles(waits),
      burstJobsPerSecond: perSecond(options.jobs, burstMs),
    };
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

/** Starts a no-op Worker, runs `during`, and resolves once `count` jobs completed (or throws at the timeout). */
async function runWorkerUntil(
  options: BareBullmqOptions,
  count: number,
  during: () => Promise<void>,
): Promise<void> {
  let completed = 0;
  let done: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    done = resolve;
  });
  const worker = new Worker("bare", async () => {}, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.workers,
  });
  worker.on("completed", () => {
    if (++completed >= count) done();
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await during();
    await Promise.race([
      allDone,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`bare worker: ${completed} of ${count} jobs in ${options.timeoutMs} ms`)),
          options.timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await worker.close();
  }
}

const perSecond = (count: number, ms: number) => Math.round((count / (ms / 1000)) * 10) / 10;
