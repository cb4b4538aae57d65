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
import type { FakeUser, StoredMessage } from "../fakes/discord/discord-payloads.ts";
import { createFakeDiscord, type FakeDiscord } from "../fakes/discord/fake-discord.ts";
import { createFakeOpenAI, type FakeOpenAI } from "../fakes/openai/fake-openai.ts";
import { createFakeSlackWebApi, type FakeSlack } from "../fakes/slack/fake-slack-web-api.ts";

export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const slackSigningSecret = "test-signing-secret";

export interface DiscordHarness {
  discord: FakeDiscord;
  /** Set when the harness runs Slack beside Discord in the same process. */
  slack: FakeSlack | undefined;
  model: FakeOpenAI;
  app: RunningApp;
  redis: Redis;
  prefix: string;
  alice: FakeUser;
  mallory: FakeUser;
  /** A human mentions the bot in the text channel; returns the message (its id is the thread's). */
  mention(user: FakeUser, text: string): StoredMessage;
  /** Waits until the thread started from `messageId` exists and the client has it cached. */
  threadOf(messageId: string): Promise<string>;
  sandboxOf(threadId: string): Promise<Sandbox>;
  /** The first message in the thread that carries a Restore button. */
  checkpointIn(threadId: string): Promise<StoredMessage>;
  jobCount(queue: keyof typeof queueNames): Promise<number>;
  close(): Promise<void>;
}

/**
 * The real app (discord.js ingress, BullMQ workers, local sandbox) against the fake Discord and
 * a scripted model, on the real Redis under a key prefix of its own; optionally with Slack too.
 */
export async function startDiscordHarness(
  options: { withSlack?: boolean; tweak?: (config: AppConfig) => void; env?: Record<string, string> } = {},
): Promise<DiscordHarness> {
  const discord = await createFakeDiscord();
  const slack = options.withSlack ? await createFakeSlackWebApi() : undefined;
  const model = await createFakeOpenAI();
  const dataDir = await mkdtemp(join(tmpdir(), "threadhands-discord-e2e-"));
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.url,
    ...(slack
      ? {
          SLACK_BOT_TOKEN: "xoxb-test-token",
          SLACK_SIGNING_SECRET: slackSigningSecret,
          SLACK_API_URL: slack.url,
        }
      : {}),
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
  options.tweak?.(config);
  const app = await startApp(config, {
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    env: { ...options.env },
  });
  const redis = new Redis(redisUrl);
  const alice = discord.addUser("alice");
  const mallory = discord.addUser("mallory");

  const harness: DiscordHarness = {
    discord,
    slack,
    model,
    app,
    redis,
    prefix,
    alice,
    mallory,
    mention: (user, text) => discord.say(user, discord.channelId, `<@${discord.botUser.id}> ${text}`),
    async threadOf(messageId) {
      await discord.waitFor(() => discord.threads().find((thread) => thread.id === messageId), {
        timeoutMs: 10_000,
        description: `a thread started from ${messageId}`,
      });
      return messageId;
    },
    async sandboxOf(threadId) {
      const key = threadKey({
        platform: "discord",
        workspace: discord.guildId,
        channel: discord.channelId,
        thread: threadId,
      });
      const sandbox = await app.sandboxes?.find(key);
      if (!sandbox) throw new Error(`no sandbox for thread ${threadId}`);
      return sandbox;
    },
    checkpointIn: (threadId) =>
      discord.waitForMessage(threadId, (message) => restoreIdOf(message) !== undefined, {
        timeoutMs: 20_000,
      }),
    async jobCount(name) {
      const queue = new Queue(queueNames[name], { connection: redis, prefix });
      const counts = await queue.getJobCounts();
      await queue.close();
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    },
    async close() {
      await app.stop();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await Promise.all([discord.close(), model.close(), slack?.close()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The `custom_id` of a message's Restore button, or undefined. */
export function restoreIdOf(message: { components: unknown[] }): string | undefined {
  for (const row of message.components as Array<{ components?: Array<{ custom_id?: string }> }>) {
    const button = row.components?.find((component) => component.custom_id?.startsWith("restore:"));
    if (button?.custom_id) return button.custom_id;
  }
  return undefined;
}
