import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import { loadConfig } from "../../config/load-config.ts";
import type { AppConfig } from "../../config/schema.ts";
import { queueNames } from "../../queue/job-schemas.ts";
import { type RunningApp, startApp } from "../../src/app/start-app.ts";
import { threadKey } from "../../src/chat/thread.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { createFakeOpenAI, type FakeOpenAI } from "../fakes/openai/fake-openai.ts";
import { createFakeSlackWebApi, type FakeSlack } from "../fakes/slack/fake-slack-web-api.ts";
import {
  appMentionEvent,
  blockActionsPayload,
  channelMessageEvent,
  type EventOptions,
  freshTs,
  postSlackEvent,
  postSlackInteraction,
} from "../fakes/slack/signed-requests.ts";

export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const signingSecret = "test-signing-secret";
export const channel = "C0INCIDENT";

export interface SlackHarness {
  slack: FakeSlack;
  model: FakeOpenAI;
  app: RunningApp;
  redis: Redis;
  prefix: string;
  eventsUrl: string;
  /** Where the local sandboxes live, to scan them for leaked secrets. */
  dataDir: string;
  logLines: string[];
  /** Posts a signed app_mention; returns the thread's root ts. */
  mention(
    user: string,
    text: string,
    options?: EventOptions & { ts?: string; threadTs?: string },
  ): Promise<string>;
  reply(user: string, text: string, threadTs: string): Promise<void>;
  /** Clicks a button (Restore unless `actionId` says otherwise) as `user`; returns the HTTP status. */
  click(
    user: string,
    message: { ts: string; thread_ts?: string | undefined },
    value: string,
    actionId?: string,
  ): Promise<number>;
  sandboxOf(threadTs: string): Promise<Sandbox>;
  /** Jobs of every state in the turns queue. */
  queuedJobCount(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The real app (Bolt ingress, BullMQ workers, local sandbox) against fake Slack and a scripted
 * model, on the real Redis under a key prefix of its own.
 */
export interface SlackHarnessOptions {
  /** More environment: provider client ids, THREADHANDS_SECRET_KEY, PUBLIC_BASE_URL. */
  env?: Record<string, string>;
  /** Keep every log line (debug level and up) for leak checks. */
  captureLogs?: boolean;
}

export async function startSlackHarness(
  tweak: (config: AppConfig) => void = () => {},
  options: SlackHarnessOptions = {},
): Promise<SlackHarness> {
  const slack = await createFakeSlackWebApi();
  const model = await createFakeOpenAI();
  const dataDir = await mkdtemp(join(tmpdir(), "threadhands-e2e-"));
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.url,
    OPENAI_API_KEY: "sk-test-key",
    OPENAI_BASE_URL: model.url,
    OPENAI_MODEL: "gpt-test",
    REDIS_URL: redisUrl,
    PORT: "0",
    THREADHANDS_DATA_DIR: dataDir,
    ...options.env,
  });
  config.queue.prefix = prefix;
  config.model.maxRetries = 1;
  // Real Slack paces a channel at about 1 post/s; the fake need not, and the suite stays quick.
  config.chat.postsPerSecondPerChannel = 200;
  config.chat.postBurst = 50;
  tweak(config);
  const logLines: string[] = [];
  const logger = options.captureLogs
    ? pino({ level: "debug" }, { write: (line: string) => void logLines.push(line) })
    : pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const app = await startApp(config, { logger, env: { ...options.env } });
  const eventsUrl = `http://127.0.0.1:${app.port}/slack/events`;
  const redis = new Redis(redisUrl);

  return {
    slack,
    model,
    app,
    redis,
    prefix,
    eventsUrl,
    dataDir,
    logLines,
    async mention(user, text, options = {}) {
      const ts = options.ts ?? freshTs();
      const event = appMentionEvent({
        user,
        text: `<@${slack.botUserId}> ${text}`,
        channel,
        ts,
        thread_ts: options.threadTs,
      });
      const response = await postSlackEvent(eventsUrl, signingSecret, event, options);
      if (response.status !== 200) throw new Error(`mention got HTTP ${response.status}: ${response.body}`);
      return options.threadTs ?? ts;
    },
    async reply(user, text, threadTs) {
      const event = channelMessageEvent({ user, text, channel, thread_ts: threadTs });
      const response = await postSlackEvent(eventsUrl, signingSecret, event);
      if (response.status !== 200) throw new Error(`reply got HTTP ${response.status}: ${response.body}`);
    },
    async click(user, message, value, actionId = "restore_checkpoint") {
      const payload = blockActionsPayload({
        user,
        channel,
        messageTs: message.ts,
        threadTs: message.thread_ts,
        actionId,
        value,
        teamId: slack.teamId,
      });
      return (await postSlackInteraction(eventsUrl, signingSecret, payload)).status;
    },
    async sandboxOf(threadTs) {
      const key = threadKey({ platform: "slack", workspace: slack.teamId, channel, thread: threadTs });
      const sandbox = await app.sandboxes?.find(key);
      if (!sandbox) throw new Error(`no sandbox for thread ${threadTs}`);
      return sandbox;
    },
    async queuedJobCount() {
      const queue = new Queue(queueNames.turns, { connection: redis, prefix });
      const counts = await queue.getJobCounts();
      await queue.close();
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    },
    async close() {
      await app.stop();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await Promise.all([slack.close(), model.close()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The Restore button's value in a checkpoint message, or undefined. */
export function restoreValueOf(message: { blocks?: unknown[] | undefined }): string | undefined {
  for (const block of message.blocks ?? []) {
    const elements = (block as { elements?: Array<{ action_id?: string; value?: string }> }).elements ?? [];
    const button = elements.find((element) => element.action_id === "restore_checkpoint");
    if (button?.value) return button.value;
  }
  return undefined;
}

/** The value of the button with `actionId` in a message's blocks, or "" when it has none. */
export function buttonValue(message: { blocks?: unknown[] | undefined }, actionId: string): string {
  const button = (message.blocks ?? [])
    .flatMap(
      (block) => (block as { elements?: Array<{ action_id?: string; value?: string }> }).elements ?? [],
    )
    .find((element) => element.action_id === actionId);
  return button?.value ?? "";
}
