import type { Redis } from "ioredis";
import { type CredentialOwner, ownerKey } from "../src/credentials/owner.ts";
import type { RefreshLock, TokenRecordStore } from "../src/credentials/token-vault.ts";

/**
 * The vault's records: one string per owner and provider holding only the AES-GCM envelope.
 * An owner's keys share a hash tag, so they sit on one Redis Cluster slot. No TTL: a link lasts
 * until the user disconnects or the provider refuses the refresh token.
 */
export function createRedisTokenRecordStore(redis: Redis, options: { prefix: string }): TokenRecordStore {
  const key = (owner: CredentialOwner, provider: string) =>
    `${options.prefix}:vault:{${ownerKey(owner)}}:${encodeURIComponent(provider)}`;
  return {
    async get(owner, provider) {
      return (await redis.get(key(owner, provider))) ?? undefined;
    },
    async put(owner, provider, envelope) {
      await redis.set(key(owner, provider), envelope);
    },
    async delete(owner, provider) {
      await redis.del(key(owner, provider));
    },
  };
}

// Only the holder may drop its lock; one that expired and was taken by another stays taken.
const releaseIfHeld = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** SET NX PX: one refresh per token across every worker process; a crashed holder's lock expires. */
export function createRedisRefreshLock(redis: Redis, options: { prefix: string }): RefreshLock {
  const key = (name: string) => `${options.prefix}:vault-refresh:{${name}}`;
  return {
    async acquire(name, holder, ttlMs) {
      return (await redis.set(key(name), holder, "PX", ttlMs, "NX")) === "OK";
    },
    async release(name, holder) {
      await redis.eval(releaseIfHeld, 1, key(name), holder);
    },
  };
}
