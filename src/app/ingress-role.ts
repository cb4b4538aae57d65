import type { Logger } from "pino";
import { startDiscordIngress } from "../../bots/discord/discord-ingress.ts";
import { startSlackIngress } from "../../bots/slack/slack-ingress.ts";
import type { AppConfig } from "../../config/schema.ts";
import { createBullTurnQueue } from "../../queue/bullmq-turn-queue.ts";
import { createRedis, whenReady } from "../../queue/redis-connection.ts";
import type { Keyspace } from "../../queue/redis-keys.ts";
import { createRedisSessionStore } from "../../queue/redis-session-store.ts";
import {
  type HttpRoute,
  queueOpenCheck,
  type ReadinessCheck,
  redisPingCheck,
} from "../observability/health-routes.ts";
import { observeIngressAcks } from "../observability/ingress-ack-timer.ts";
import type { Metrics } from "../observability/metrics.ts";

export interface IngressRoleContext {
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  redisUrl: string;
  keys: Keyspace;
  /** Health, metrics and OAuth callback routes, served on Slack's HTTP server when it runs. */
  routes: HttpRoute[];
  checks: Record<string, ReadinessCheck>;
  onRedisError: (error: Error) => void;
  stops: Array<() => Promise<void> | void>;
}

/**
 * The platforms' front door. It only verifies, normalises and enqueues, on a Redis connection
 * of its own that fails fast (a Slack event then gets a 5xx and is retried).
 */
export async function startIngressRole(context: IngressRoleContext): Promise<{ port: number | undefined }> {
  const { config, logger } = context;
  const redis = createRedis(context.redisUrl, "ingress", context.onRedisError);
  context.stops.push(() => void redis.disconnect());
  await whenReady(redis);
  context.checks.ingressRedis = redisPingCheck(redis);
  const queue = createBullTurnQueue({
    connection: redis,
    prefix: config.queue.prefix,
    sessions: createRedisSessionStore(redis, context.keys),
    privilegedUsers: config.access.restoreUsers,
    onError: context.onRedisError,
  });
  context.stops.push(() => queue.close());
  context.checks.turnsQueue = queueOpenCheck(queue.turns);

  if (config.DISCORD_TOKEN) {
    const discord = await startDiscordIngress({
      token: config.DISCORD_TOKEN,
      apiUrl: config.DISCORD_API_URL,
      applicationId: config.DISCORD_APPLICATION_ID,
      queue,
      logger,
    });
    context.stops.push(() => discord.stop());
  }
  // The Slack settings are validated together (config/schema.ts): a token means both are set.
  if (!config.SLACK_BOT_TOKEN || !config.SLACK_SIGNING_SECRET) return { port: undefined };
  const slack = await startSlackIngress({
    botToken: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    appToken: config.SLACK_APP_TOKEN,
    apiUrl: config.SLACK_API_URL,
    port: config.PORT,
    queue,
    logger,
    customRoutes: context.routes,
  });
  context.stops.push(() => slack.stop());
  if (slack.server)
    context.stops.push(observeIngressAcks(slack.server, { onAck: context.metrics.ingressAcked }));
  return { port: slack.port };
}
