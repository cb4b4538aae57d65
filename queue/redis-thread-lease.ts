import type { Redis } from "ioredis";
import type { ThreadLease } from "../src/session/session-store.ts";
import type { Keyspace } from "./redis-keys.ts";

// Only the holder may extend or drop its lease; a lease that expired and was taken stays taken.
const renewIfHeld = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const releaseIfHeld = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// Free, or held by an earlier run of the same owner (text before "|"): take it.
const acquireOrTakeOver = `
local current = redis.call('GET', KEYS[1])
if current and string.match(current, '^[^|]*') ~= string.match(ARGV[1], '^[^|]*') then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

export function createRedisThreadLease(redis: Redis, keys: Keyspace): ThreadLease {
  return {
    async acquire(key, holder, ttlMs) {
      return (await redis.eval(acquireOrTakeOver, 1, keys.lease(key), holder, ttlMs)) === 1;
    },
    async renew(key, holder, ttlMs) {
      return (await redis.eval(renewIfHeld, 1, keys.lease(key), holder, ttlMs)) === 1;
    },
    async release(key, holder) {
      await redis.eval(releaseIfHeld, 1, keys.lease(key), holder);
    },
  };
}
