import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { WebClient } from "@slack/web-api";
import pino, { type Logger } from "pino";
import { createDiscordRest } from "../bots/discord/discord-client.ts";
import { startDiscordIngress } from "../bots/discord/discord-ingress.ts";
import { createDiscordPoster } from "../bots/discord/discord-poster.ts";
import { startSlackIngress } from "../bots/slack/slack-ingress.ts";
import { createSlackPoster } from "../bots/slack/slack-poster.ts";
import type { AppConfig } from "../config/schema.ts";
import { createBullTurnQueue } from "../queue/bullmq-turn-queue.ts";
import { redisAnswers, startPrivateRedis } from "../queue/private-redis-server.ts";
import { assertNoEviction, createRedis, whenReady } from "../queue/redis-connection.ts";
import { createKeyspace } from "../queue/redis-keys.ts";
import { createRedisSessionInbox } from "../queue/redis-session-inbox.ts";
import { createRedisSessionStore } from "../queue/redis-session-store.ts";
import { createRedisThreadLease } from "../queue/redis-thread-lease.ts";
import { startWorkerPool } from "../queue/worker-pool.ts";
import { defaultSystemPrompt } from "./agent/system-prompt.ts";
import { createChannelPacer } from "./chat/channel-pacer.ts";
import { createPlatformPoster } from "./chat/platform-poster.ts";
import { createOpenAIModel } from "./model/openai.ts";
import { createLocalSandboxProvider } from "./sandbox/local/local-sandbox-provider.ts";
import type { SandboxProvider } from "./sandbox/sandbox.ts";
import { createSpritesSandboxProvider } from "./sandbox/sprites/sprites-sandbox-provider.ts";
import { createSessionService } from "./session/session-service.ts";
import { createToolRegistry } from "./tools/tool-registry.ts";

export interface RunningApp {
  /** The HTTP port ingress listens on (useful when PORT=0). */
  port: number | undefined;
  /** The worker role's sandboxes; tests look inside them. */
  sandboxes: SandboxProvider | undefined;
  stop(): Promise<void>;
}

/**
 * The composition root: reads nothing itself, wires every port to its implementation and
 * starts the roles the config asks for. Tests call it with their own config and fakes' URLs.
 */
export async function startApp(
  config: AppConfig,
  logger: Logger = pino({ level: config.LOG_LEVEL }),
): Promise<RunningApp> {
  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const redisUrl = await resolveRedisUrl(config, logger, stops);
    const onRedisError = throttle(
      (error: Error) => logger.warn({ err: error }, "redis connection problem"),
      5_000,
    );
    const redis = createRedis(redisUrl, "worker", onRedisError);
    stops.push(() => void redis.disconnect());
    await assertNoEviction(redis);

    const keys = createKeyspace(config.queue.prefix);
    const store = createRedisSessionStore(redis, keys);
    const inbox = createRedisSessionInbox(redis, keys);
    const connection = redis;
    const role = config.THREADHANDS_ROLE;
    let port: number | undefined;
    let sandboxes: SandboxProvider | undefined;

    if (role === "all" || role === "worker") {
      sandboxes = await createSandboxProvider(config, logger);
      const provider = sandboxes;
      stops.push(() => provider.close());
      logger.info({ sandbox: provider.description }, "sandbox backend ready");

      const slack = config.SLACK_BOT_TOKEN
        ? createSlackPoster(
            new WebClient(
              config.SLACK_BOT_TOKEN,
              config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {},
            ),
            createChannelPacer({
              perSecond: config.chat.postsPerSecondPerChannel,
              burst: config.chat.postBurst,
            }),
          )
        : undefined;
      const discord = config.DISCORD_TOKEN
        ? createDiscordPoster({
            rest: createDiscordRest({ token: config.DISCORD_TOKEN, apiUrl: config.DISCORD_API_URL }),
            logger,
          })
        : undefined;
      const sessions = createSessionService({
        store,
        inbox,
        lease: createRedisThreadLease(redis, keys),
        sandboxes: provider,
        poster: createPlatformPoster({ slack, discord }),
        instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
        privilegedUsers: config.access.restoreUsers,
        agent: {
          model: createOpenAIModel({
            apiKey: config.OPENAI_API_KEY,
            baseURL: config.OPENAI_BASE_URL,
            model: config.OPENAI_MODEL,
            maxRetries: config.model.maxRetries,
            timeoutMs: config.model.timeoutSeconds * 1000,
          }),
          tools: createToolRegistry(),
          systemPrompt: config.agent.systemPrompt ?? defaultSystemPrompt,
          maxSteps: config.agent.maxStepsPerTurn,
          checkpointAt: config.policy.checkpointAt,
          limits: {
            defaultTimeoutMs: config.agent.commandTimeoutSeconds * 1000,
            maxTimeoutMs: config.agent.maxCommandTimeoutSeconds * 1000,
            outputLimitBytes: config.agent.outputLimitBytes,
          },
        },
      });
      const pool = startWorkerPool({
        connection,
        prefix: config.queue.prefix,
        concurrency: config.queue.concurrency,
        sessions,
        logger,
      });
      stops.push(() => pool.close());
    }

    if (role === "all" || role === "ingress") {
      const ingressRedis = createRedis(redisUrl, "ingress", onRedisError);
      stops.push(() => void ingressRedis.disconnect());
      await whenReady(ingressRedis);
      const queue = createBullTurnQueue({
        connection: ingressRedis,
        prefix: config.queue.prefix,
        sessions: createRedisSessionStore(ingressRedis, keys),
        onError: onRedisError,
        privilegedUsers: config.access.restoreUsers,
      });
      stops.push(() => queue.close());
      if (config.DISCORD_TOKEN) {
        const discord = await startDiscordIngress({
          token: config.DISCORD_TOKEN,
          apiUrl: config.DISCORD_API_URL,
          applicationId: config.DISCORD_APPLICATION_ID,
          queue,
          logger,
        });
        stops.push(() => discord.stop());
      }
      // The Slack settings are validated together (config/schema.ts): a token means both are set.
      if (config.SLACK_BOT_TOKEN && config.SLACK_SIGNING_SECRET) {
        const ingress = await startSlackIngress({
          botToken: config.SLACK_BOT_TOKEN,
          signingSecret: config.SLACK_SIGNING_SECRET,
          appToken: config.SLACK_APP_TOKEN,
          apiUrl: config.SLACK_API_URL,
          port: config.PORT,
          queue,
          logger,
          customRoutes: [
            {
              path: "/healthz",
              method: ["GET"],
              handler: (_req, res) => {
                res.writeHead(200, { "content-type": "application/json" });
                res.end('{"ok":true}');
              },
            },
          ],
        });
        stops.push(() => ingress.stop());
        port = ingress.port;
      }
    }

    logger.info({ role, port }, "threadhands started");
    return { port, sandboxes, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function resolveRedisUrl(config: AppConfig, logger: Logger, stops: Array<() => void>): Promise<string> {
  if (config.REDIS_URL) return config.REDIS_URL;
  if (await redisAnswers("127.0.0.1", 6379)) return "redis://127.0.0.1:6379";
  logger.warn("no Redis answers on 127.0.0.1:6379 and REDIS_URL is unset: starting a private redis-server");
  const local = await startPrivateRedis(config.THREADHANDS_DATA_DIR);
  stops.push(local.stop);
  return local.url;
}

/** `SANDBOX_PROVIDER` picks the hands: a Sprite per thread, or a sandbox on this machine. */
async function createSandboxProvider(config: AppConfig, logger: Logger): Promise<SandboxProvider> {
  if (config.SANDBOX_PROVIDER === "sprites") {
    if (config.sandbox.seed.sources.length > 0) {
      logger.warn({}, "Sprites sandboxes are seeded by setup commands only; seed sources are ignored");
    }
    return createSpritesSandboxProvider({
      token: config.SPRITES_TOKEN ?? "",
      apiUrl: config.SPRITES_API_URL,
      setup: config.sandbox.seed.setup,
      defaultTimeoutMs: config.agent.commandTimeoutSeconds * 1000,
      maxOutputBytes: config.agent.outputLimitBytes,
    });
  }
  return createLocalSandboxProvider({
    rootDir: resolve(config.THREADHANDS_DATA_DIR, "sandboxes"),
    isolation: config.sandbox.isolation,
    network: { mode: config.sandbox.network },
    limits: config.sandbox.limits,
    seed: config.sandbox.seed,
    defaultTimeoutMs: config.agent.commandTimeoutSeconds * 1000,
    maxOutputBytes: config.agent.outputLimitBytes,
    logger,
  });
}

/** At most one call per interval: a Redis outage would otherwise log every reconnect attempt. */
function throttle<T extends unknown[]>(call: (...args: T) => void, intervalMs: number): (...args: T) => void {
  let last = 0;
  return (...args) => {
    if (Date.now() - last < intervalMs) return;
    last = Date.now();
    call(...args);
  };
}
