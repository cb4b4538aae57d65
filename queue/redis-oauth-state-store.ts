import type { Redis } from "ioredis";
import type { OAuthStateStore, PendingLink } from "../src/credentials/oauth-state-store.ts";

/**
 * Pending OAuth links under the SHA-256 of their state. The key outlives the link by a grace
 * period, so a late click is told "expired" (the record's own `expiresAt`) rather than "unknown".
 */
const graceMs = 60 * 60_000;
const usedMarker = "used";

// Atomic single use: the first taker gets the record, every later one the tombstone.
const takeOnce = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
if value == ARGV[1] then return value end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return value`;

export function createRedisOAuthStateStore(redis: Redis, options: { prefix: string }): OAuthStateStore {
  const key = (stateHash: string) => `${options.prefix}:oauth-state:${stateHash}`;
  return {
    async put(stateHash, link, ttlMs) {
      await redis.set(key(stateHash), JSON.stringify(link), "PX", ttlMs + graceMs, "NX");
    },
    async take(stateHash) {
      const value = (await redis.eval(takeOnce, 1, key(stateHash), usedMarker)) as string | null;
      if (value === null) return { status: "unknown" };
      if (value === usedMarker) return { status: "used" };
      return { status: "found", link: JSON.parse(value) as PendingLink };
    },
  };
}
