import { Redis } from "ioredis";
import { AppError } from "../src/errors.ts";

/**
 * Workers wait and reconnect when Redis restarts (`maxRetriesPerRequest: null`, as BullMQ
 * requires); everything they do is in Redis, so waiting is the safe choice.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
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
