import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { queueNames } from "../queue/job-schemas.ts";
import { stallSettings } from "../queue/worker-pool.ts";
import { startFakeSprites } from "../test/fakes/sprites/fake-sprites-server.ts";
import { pollUntil } from "../test/fakes/wait-for.ts";
import { channel, startFaultRig, type WorkerProcess } from "../test/faults/worker-processes.ts";

export interface RecoveryOptions {
  rounds: number;
  redisUrl: string;
  /** Bounds every wait of a round, so a broken recovery fails the bench instead of hanging it. */
  roundTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface Samples {
  median: number;
  samples: number[];
}

export interface RecoveryResult {
  rounds: number;
  sandbox: string;
  /** SIGKILL to the second worker's BullMQ moveToActive of the same job (its processedOn). */
  killToTakeoverMs: Samples;
  /** SIGKILL to the turn's answer reaching (fake) Slack. */
  killToAnswerMs: Samples;
  /** SIGKILL to the replacement worker logging "threadhands started": boot is inside the figures. */
  killToSecondWorkerReadyMs: Samples;
  /**
   * What the pool's settings lead one to expect. The dead worker renewed its lock every
   * lockDuration/2, so the lock lapses lockDuration/2..lockDuration after the kill. BullMQ's stall
   * check (every stalledInterval, by any live worker) moves a job back only when an earlier check
   * already marked it and its lock is gone: one more interval, and one more when the first check
   * after the kill was skipped. The idle replacement then takes the job at once.
   */
  baseline: {
    lockDurationMs: number;
    stalledIntervalMs: number;
    maxStalledCount: number;
    expectedTakeoverMs: { min: number; max: number };
    why: string;
  };
}

/**
 * Kill-and-recover rounds against real worker processes (`node src/main.ts`, role worker), an
 * in-process ingress, fake Slack, a scripted model and the fake Sprites API (any worker can
 * reach any thread's Sprite, as in production). Each round: a turn runs `sleep 30`, its worker
 * gets SIGKILL mid-command, a fresh worker starts; the next round kills that one.
 */
export async function measureRecovery(options: RecoveryOptions): Promise<RecoveryResult> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.roundTimeoutMs ?? 60_000;
  const rig = await startFaultRig({ redisUrl: options.redisUrl });
  const sprites = await startFakeSprites();
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const turns = new Queue(queueNames.turns, { connection: redis, prefix: rig.prefix });
  const workerEnv = {
    SANDBOX_PROVIDER: "sprites",
    SPRITES_TOKEN: sprites.token,
    SPRITES_API_URL: sprites.url,
    LOG_LEVEL: "info",
  };
  const takeovers: number[] = [];
  const answers: number[] = [];
  const readies: number[] = [];
  try {
    let worker: WorkerProcess = rig.startWorker(workerEnv);
    await worker.waitForLog("threadhands started", timeoutMs);
    for (let round = 1; round <= options.rounds; round++) {
      const answer = `recovered round ${round}`;
      rig.model.script(
        { toolCalls: [{ name: "run_command", arguments: { command: "sleep 30" } }] },
        { content: answer },
      );
      const root = await rig.mention("U0BENCH", `recovery round ${round}`);
      await rig.slack.waitForMessage(
        channel,
        (message) =>
          message.thread_ts === root &&
          [message.text, ...message.history.map((version) => version.text)].some((text) =>
            text.includes("running `sleep 30`"),
          ),
        { timeoutMs },
      );
      const job = (await turns.getActive()).find((active) => active.data?.message?.thread?.thread === root);
      if (!job?.id) throw new Error(`round ${round}: the turn's job is not active`);
      // Let the command really run in the Sprite before the worker dies under it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      worker.child.kill("SIGKILL");
      const killedAt = Date.now();
      await worker.exited;
      worker = rig.startWorker(workerEnv);
      const ready = await worker.waitForLog("threadhands started", timeoutMs);
      readies.push(Date.parse(String(ready.time)) - killedAt);

      const jobId = job.id;
      // moveToActive stamps processedOn again: the replacement's own clock of taking the job.
      const takenAt = await pollUntil(
        async () => {
          const processedOn = (await turns.getJob(jobId))?.processedOn;
          return processedOn !== undefined && processedOn > killedAt ? processedOn : undefined;
        },
        () => worker.output().slice(-2000),
        { timeoutMs, intervalMs: 20, description: `round ${round}: job ${jobId} taken again` },
      );
      takeovers.push(takenAt - killedAt);
      const posted = await rig.slack.waitFor(
        (slack) =>
          slack.calls.find(
            (call) =>
              (call.method === "chat.postMessage" || call.method === "chat.update") &&
              String(call.args.text ?? "").includes(answer),
          ),
        { timeoutMs, description: `round ${round}: the answer` },
      );
      answers.push(posted.at - killedAt);
      log(
        `round ${round}: taken over after ${takenAt - killedAt} ms, answered after ${posted.at - killedAt} ms`,
      );
    }
    if (rig.model.failures.length > 0)
      throw new Error(`model script failed: ${rig.model.failures.join("; ")}`);
  } finally {
    await turns.close();
    redis.disconnect();
    await rig.close();
    await sprites.close();
  }
  const { lockDuration, stalledInterval, maxStalledCount } = stallSettings;
  return {
    rounds: options.rounds,
    sandbox: "sprites (fake Sprites API in the bench process)",
    killToTakeoverMs: summarise(takeovers),
    killToAnswerMs: summarise(answers),
    killToSecondWorkerReadyMs: summarise(readies),
    baseline: {
      lockDurationMs: lockDuration,
      stalledIntervalMs: stalledInterval,
      maxStalledCount,
      expectedTakeoverMs: { min: lockDuration / 2, max: lockDuration + 2 * stalledInterval },
      why: "lock lapses lockDuration/2..lockDuration after the kill; a stall check marks, the next one moves it back",
    },
  };
}

function summarise(samples: number[]): Samples {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? 0
      : sorted.length % 2 === 1
        ? (sorted[middle] ?? 0)
        : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median: Math.round(median), samples };
}
