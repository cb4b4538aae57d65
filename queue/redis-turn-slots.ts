import type { Redis } from "ioredis";
import type { TurnSlots } from "../src/session/session-store.ts";

// Each scope is a sorted set of holders scored by lease expiry. Expired holders (a crashed
// worker) fall out; the holder joins every scope only if each has room (or holds it already).
const acquireAll = `
local now = tonumber(ARGV[1])
local expiry = now + tonumber(ARGV[2])
local holder = ARGV[3]
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local limit = tonumber(ARGV[3 + i])
  if not redis.call('ZSCORE', key, holder) and redis.call('ZCARD', key) >= limit then return 0 end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, expiry, holder)
  redis.call('PEXPIRE', key, ARGV[2])
end
return 1`;

export function createRedisTurnSlots(redis: Redis, prefix: string): TurnSlots {
  // One hash tag for every slot key: the multi-key script stays legal on Redis Cluster.
  const keyOf = (scope: string) => `{${prefix}:slots}:${scope}`;
  return {
    async acquire(scopes, holder, ttlMs) {
      const keys = scopes.map((entry) => keyOf(entry.scope));
      const limits = scopes.map((entry) => String(entry.limit));
      const result = await redis.eval(acquireAll, keys.length, ...keys, Date.now(), ttlMs, holder, ...limits);
      return result === 1;
    },
    async renew(scopes, holder, ttlMs) {
      const expiry = Date.now() + ttlMs;
      const pipeline = redis.pipeline();
      for (const scope of scopes) pipeline.zadd(keyOf(scope), "XX", expiry, holder);
      await pipeline.exec();
    },
    async release(scopes, holder) {
      const pipeline = redis.pipeline();
      for (const scope of scopes) pipeline.zrem(keyOf(scope), holder);
      await pipeline.exec();
    },
  };
}
