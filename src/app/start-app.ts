import type { Logger } from "pino";
import type { AppConfig } from "../../config/schema.ts";
import { assertNoEviction, createRedis } from "../../queue/redis-connection.ts";
import { createKeyspace } from "../../queue/redis-keys.ts";
import { createRedisSessionInbox } from "../../queue/redis-session-inbox.ts";
import { createRedisSessionStore } from "../../queue/redis-session-store.ts";
import { callbackPath } from "../credentials/oauth-linking.ts";
import {
  createHealthRoutes,
  type HttpRoute,
  type ReadinessCheck,
  redisPingCheck,
} from "../observability/health-routes.ts";
import { startHealthServer } from "../observability/health-server.ts";
import { createLogger, createSecretLogFilter } from "../observability/logger.ts";
import { createMetrics, type Metrics } from "../observability/metrics.ts";
import type { SandboxProvider } from "../sandbox/sandbox.ts";
import { setUpCredentials } from "./credential-setup.ts";
import { startIngressRole } from "./ingress-role.ts";
import { createPosters } from "./posters.ts";
import { resolveRedisUrl, throttle } from "./redis-setup.ts";
import { startWorkerRole } from "./worker-role.ts";

export interface RunningApp {
  /** The HTTP port (useful when PORT=0): Slack's receiver, or the health server. */
  port: number | undefined;
  /** The worker role's sandboxes; tests look inside them. */
  sandboxes: SandboxProvider | undefined;
  metrics: Metrics;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Raw environment for what the schema cannot name ahead: provider client ids and secrets. */
  env?: Record<string, string | undefined>;
}

/** Secrets of our own that no log line may carry, whatever field they hide in. */
const ownSecrets = [
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "OPENAI_API_KEY",
  "DISCORD_TOKEN",
  "SPRITES_TOKEN",
] as const;

/**
 * The composition root: wires every port to its implementation and starts the roles the config
 * asks for (`all`, `ingress`, `worker`). Tests call it with their own config and fakes' URLs.
 */
export async function startApp(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  const env = options.env ?? process.env;
  const role = config.THREADHANDS_ROLE;
  const secrets = ownSecrets.flatMap((name) => (config[name] ? [config[name]] : []));
  const logger =
    options.logger ??
    createLogger({ level: config.LOG_LEVEL, base: { role }, scrub: createSecretLogFilter(() => secrets) });
  const metrics = createMetrics({ defaultLabels: { role } });
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
    const credentials = setUpCredentials(config, env, redis);
    const poster = createPosters(config, logger);
    const checks: Record<string, ReadinessCheck> = { redis: redisPingCheck(redis) };
    const routes: HttpRoute[] = createHealthRoutes({ registry: metrics.registry, checks });
    if (credentials) {
      for (const provider of credentials.providers.keys()) {
        routes.push({
          path: callbackPath(provider),
          method: ["GET"],
          handler: credentials.callbackHandler({
            onLinked: async (account) => {
              if (!account.thread) return;
              const login = account.login ? ` as ${account.login}` : "";
              await poster.postNotice(
                account.thread,
                `:link: <@${account.owner.user}> linked ${account.displayName}${login}.`,
              );
            },
            onError: (error) => logger.warn({ err: error }, "an OAuth callback failed"),
          }),
        });
      }
    }

    let sandboxes: SandboxProvider | undefined;
    if (role === "all" || role === "worker") {
      ({ sandboxes } = await startWorkerRole({
        config,
        logger,
        metrics,
        redis,
        keys,
        store,
        inbox,
        poster,
        credentials,
        stops,
      }));
    }
    let port: number | undefined;
    if (role === "all" || role === "ingress") {
      ({ port } = await startIngressRole({
        config,
        logger,
        metrics,
        redisUrl,
        keys,
        routes,
        checks,
        onRedisError,
        stops,
      }));
    }
    if (port === undefined) {
      // Nothing else serves HTTP (a worker, or Discord only): health, metrics and callbacks still answer.
      const server = await startHealthServer({ routes, port: config.PORT });
      stops.push(() => server.close());
      port = server.port;
    }

    logger.info({ role, port }, "threadhands started");
    return { port, sandboxes, metrics, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
