import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DiscordIngress, startDiscordIngress } from "../../bots/discord/discord-ingress.ts";
import { createBullTurnQueue } from "../../queue/bullmq-turn-queue.ts";
import { queueNames } from "../../queue/job-schemas.ts";
import { createFakeDiscord, type FakeDiscord } from "../fakes/discord/fake-discord.ts";
import { redisUrl } from "./discord-harness.ts";

// Ingress alone, on the real Redis-backed queue: what reaches the queue is the whole contract.
describe("Discord ingress", () => {
  let discord: FakeDiscord;
  let redis: Redis;
  let prefix: string;
  let queue: ReturnType<typeof createBullTurnQueue>;
  const running: DiscordIngress[] = [];
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

  const start = async () => {
    const ingress = await startDiscordIngress({ token: discord.token, apiUrl: discord.url, queue, logger });
    running.push(ingress);
    return ingress;
  };
  const turnJobs = async () => {
    const turns = new Queue(queueNames.turns, { connection: redis, prefix });
    const jobs = await turns.getJobs();
    await turns.close();
    return jobs;
  };

  beforeEach(async () => {
    discord = await createFakeDiscord();
    redis = new Redis(redisUrl);
    prefix = `test-${randomUUID().slice(0, 8)}`;
    queue = createBullTurnQueue({
      connection: redis,
      prefix,
      sessions: { exists: async () => false, isParticipant: async () => false },
      privilegedUsers: [],
    });
  });
  afterEach(async () => {
    for (const ingress of running.splice(0)) await ingress.stop();
    await queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await discord.close();
  });

  it("enqueues one turn for a mention replayed to a freshly started ingress whose thread already exists", async () => {
    const alice = discord.addUser("alice");
    const first = await start();
    const mention = discord.say(alice, discord.channelId, `<@${discord.botUser.id}> is the API up?`);
    await discord.waitFor(async () => (await turnJobs()).length === 1, { timeoutMs: 10_000 });
    await first.stop();
    running.splice(0);

    // A new process has an empty cache, so discord.js hands the replay to our handler again.
    await start();
    const attempts = () => discord.callsTo("POST /channels/{channel}/messages/{message}/threads");
    discord.replay(mention.id);
    await discord.waitFor(() => attempts().length === 2, {
      timeoutMs: 10_000,
      description: "the second thread attempt",
    });
    expect(attempts().map((call) => call.status)).toEqual([201, 400]);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const jobs = await turnJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.data.message).toMatchObject({
      messageId: `discord:message:${mention.id}`,
      thread: {
        platform: "discord",
        workspace: discord.guildId,
        channel: discord.channelId,
        thread: mention.id,
      },
      user: { id: alice.id },
      text: "is the API up?",
      mentioned: true,
    });
    // A job carries references only: no token of any kind.
    expect(JSON.stringify(jobs[0]?.data)).not.toContain(discord.token);
  });

  it("ignores messages from bots and webhooks and channel messages that do not mention it", async () => {
    const alice = discord.addUser("alice");
    const helper = { ...discord.addUser("helper-bot"), bot: true };
    await start();
    discord.say(helper, discord.channelId, `<@${discord.botUser.id}> I am a bot`);
    discord.webhookSays(discord.channelId, `<@${discord.botUser.id}> disk 95% on db-1`);
    discord.say(alice, discord.channelId, "just chatting");
    const marker = discord.say(alice, discord.channelId, `<@${discord.botUser.id}> marker`);
    await discord.waitFor(async () => (await turnJobs()).length > 0, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const jobs = await turnJobs();
    expect(jobs.map((job) => job.data.message.messageId)).toEqual([`discord:message:${marker.id}`]);
  });
});
