/**
 * `npm run bench:pool -- --json [--events 200] [--concurrency 20] [--workers 4] [--timeout-ms 120000]
 *   [--recovery-rounds 3]`
 * The real app in-process (Bolt ingress, BullMQ pool, Redis) against fake Slack and a scripted
 * model that answers every turn at once, so what is measured is the pool, not the model. Prints
 * one JSON object (milliseconds); the bare BullMQ baseline is measured in the same run, and so is
 * crash recovery (bench/recovery-measure.ts: worker processes, SIGKILL mid-command), which
 * `--recovery-rounds 0` skips.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import { loadConfig } from "../config/load-config.ts";
import { queueNames } from "../queue/job-schemas.ts";
import { startApp } from "../src/app/start-app.ts";
import { createFakeOpenAI } from "../test/fakes/openai/fake-openai.ts";
import { createFakeSlackWebApi } from "../test/fakes/slack/fake-slack-web-api.ts";
import { appMentionEvent, freshTs, postSlackEvent } from "../test/fakes/slack/signed-requests.ts";
import { measureBareBullmq } from "./pool-baseline.ts";
import { percentiles, runLimited } from "./pool-stats.ts";
import { measureRecovery, type RecoveryResult } from "./recovery-measure.ts";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    events: { type: "string", default: "200" },
    concurrency: { type: "string", default: "20" },
    workers: { type: "string", default: "4" },
    "timeout-ms": { type: "string", default: "120000" },
    "recovery-rounds": { type: "string", default: "3" },
  },
});

const events = bounded(values.events, 1, 5000, "--events");
const concurrency = bounded(values.concurrency, 1, 200, "--concurrency");
const workers = bounded(values.workers, 1, 256, "--workers");
const timeoutMs = bounded(values["timeout-ms"], 1000, 600_000, "--timeout-ms");
const recoveryRounds = bounded(values["recovery-rounds"], 0, 10, "--recovery-rounds");
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const signingSecret = "bench-signing-secret";
const answer = "bench: all good";

function bounded(raw: string | undefined, min: number, max: number, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${raw}`);
  }
  return value;
}

const log = (message: string) => {
  if (!values.json) console.error(message);
};

async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}

async function benchApp(redis: Redis, prefix: string) {
  const slack = await createFakeSlackWebApi();
  const model = await createFakeOpenAI();
  const dataDir = await mkdtemp(join(tmpdir(), "threadhands-bench-pool-"));
  // One answer per turn; a dynamic step so the script never depends on which turn comes first.
  for (let index = 0; index < events; index++) model.script(() => ({ content: answer }));
  const config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-bench-token",
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.url,
    OPENAI_API_KEY: "sk-bench-key",
    OPENAI_BASE_URL: model.url,
    OPENAI_MODEL: "gpt-bench",
    REDIS_URL: redisUrl,
    PORT: "0",
    THREADHANDS_DATA_DIR: dataDir,
  });
  config.queue.prefix = prefix;
  config.queue.concurrency = workers;
  config.model.maxRetries = 0;
  const app = await startApp(config, { logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? "silent" }) });
  try {
    const eventsUrl = `http://127.0.0.1:${app.port}/slack/events`;
    const answers = () =>
      slack.callsTo("chat.postMessage").filter((call) => call.args.text === answer).length;
    const acks: number[] = [];
    let failedAcks = 0;
    const started = performance.now();
    // A thread per event, spread over channels: an incident bot's burst is many threads at once,
    // and Slack's per-channel posting limit is not what this bench is about.
    await runLimited(events, concurrency, async (index) => {
      const event = appMentionEvent({
        user: `U0BENCH${index % 10}`,
        text: `<@${slack.botUserId}> check ${index}`,
        channel: `C0BENCH${String(index % 20).padStart(3, "0")}`,
        ts: freshTs(),
      });
      const sent = performance.now();
      const response = await postSlackEvent(eventsUrl, signingSecret, event);
      acks.push(performance.now() - sent);
      if (response.status !== 200) failedAcks++;
    });
    const burstMs = performance.now() - started;
    log(`burst of ${events} events acked in ${Math.round(burstMs)} ms; waiting for answers`);
    const deadline = started + timeoutMs;
    while (answers() < events - failedAcks && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const answered = answers();
    const endToEndMs = performance.now() - started;

    const queue = new Queue(queueNames.turns, { connection: redis, prefix });
    const jobs = await queue.getJobs(["completed", "failed", "active", "wait", "delayed"], 0, events + 10);
    await queue.close();
    const waits = jobs
      .filter((job) => job.processedOn !== undefined)
      .map((job) => (job.processedOn ?? 0) - job.timestamp);

    return {
      ackMs: percentiles(acks),
      failedAcks,
      burstMs: Math.round(burstMs),
      enqueueToStartMs: percentiles(waits),
      jobsSeen: jobs.length,
      answered,
      endToEndMs: Math.round(endToEndMs),
      turnsPerSecond: Math.round((answered / (endToEndMs / 1000)) * 10) / 10,
      modelFailures: model.failures.length,
      unexpectedSlackCalls: slack.unexpectedCalls.length,
      timedOut: answered < events - failedAcks,
    };
  } finally {
    await app.stop();
    await Promise.all([slack.close(), model.close()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Crash recovery needs worker processes of its own; a failure is reported, not fatal to the rest. */
async function recoveryFigures(): Promise<RecoveryResult | { error: string } | null> {
  if (recoveryRounds === 0) return null;
  log(`recovery: ${recoveryRounds} rounds of SIGKILL mid-command, a fresh worker process each`);
  try {
    return await measureRecovery({ rounds: recoveryRounds, redisUrl, log });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function main(): Promise<void> {
  // BullMQ workers require maxRetriesPerRequest: null on a shared connection.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const run = randomUUID().slice(0, 8);
  const appPrefix = `bench-pool-${run}`;
  const barePrefix = `bench-bare-${run}`;
  try {
    log(`app: ${events} app_mention events, ${concurrency} in flight, ${workers} worker slots`);
    const app = await benchApp(redis, appPrefix);
    log(`bare BullMQ: ${events} Queue.add, ${concurrency} in flight; no-op Worker, ${workers} slots`);
    const bare = await measureBareBullmq({
      connection: redis,
      prefix: barePrefix,
      jobs: events,
      concurrency,
      workers,
      timeoutMs,
    });
    const recovery = await recoveryFigures();
    const result = {
      bench: "pool",
      node: process.version,
      redis: redisUrl.replace(/\/\/[^@]*@/, "//"),
      events,
      concurrency,
      workerConcurrency: workers,
      app: {
        ingressAckMs: app.ackMs,
        failedAcks: app.failedAcks,
        burstMs: app.burstMs,
        enqueueToStartMs: app.enqueueToStartMs,
        jobsSeen: app.jobsSeen,
        answered: app.answered,
        endToEndMs: app.endToEndMs,
        turnsPerSecond: app.turnsPerSecond,
        modelFailures: app.modelFailures,
        unexpectedSlackCalls: app.unexpectedSlackCalls,
        timedOut: app.timedOut,
      },
      bareBullmq: bare,
      // SIGKILL of a worker process mid-command to another worker taking the job and to the
      // turn's answer; medians of the rounds, with the pool's stall settings as the expectation.
      recovery_ms: recovery,
    };
    process.stdout.write(`${JSON.stringify(result, null, values.json ? undefined : 2)}\n`);
  } finally {
    const deleted = (await deletePrefix(redis, appPrefix)) + (await deletePrefix(redis, barePrefix));
    log(`cleaned up ${deleted} Redis keys`);
    redis.disconnect();
  }
}

await main();
