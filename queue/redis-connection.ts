import { Redis } from "ioredis";
import { AppError } from "../src/errors.ts";

/**
 * Workers wait and reconnect when Redis restarts (`maxRetriesPerRequest: null`, as BullMQ
 * requires); everything they do is in Redis, so waiting is the safe choice. Ingress fails fast
 * instead: a Slack event whose enqueue fails gets a 5xx within its 3 s deadline and Slack
 * retries it, which beats a request that hangs until Slack gives up.
 */
export function createRedis(url: string, role: "worker" | "ingress", onError: (error: Error) => void): Redis {
  const redis =
    role === "worker"
      ? new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true })
      : new Redis(url, {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 1_000,
          commandTimeout: 1_500,
        });
  // ioredis reports each failed reconnect; without a listener Node prints them as unhandled.
  redis.on("error", onError);
  return redis;
}

/** Resolves once the client can take commands; a fail-fast client refuses them before that. */
export async function whenReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      reject(new AppError("redis_unavailable", `Redis did not answer within ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", onReady);
  });
}

/** Redis evicting keys would silently lose jobs, sessions and locks: refuse to run on it. */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
  const policy = reply[1];
  if (policy !== "noeviction") {
    throw new AppError(
      "redis_eviction_policy",
      `Redis maxmemory-policy is "${policy}", but threadhands needs "noeviction" (an evicting Redis loses jobs and sessions). ` +
        "Set it with: redis-cli CONFIG SET maxmemory-policy noeviction (and in redis.conf).",
    );
  }
}
