import type { Redis } from "ioredis";
import type { CheckpointRecord, SessionRecord, SessionStore } from "../src/session/session-store.ts";
import type { Keyspace } from "./redis-keys.ts";

/** Sessions idle for this long are forgotten; a new mention starts afresh. */
const sessionTtlSeconds = 14 * 24 * 3600;

export function createRedisSessionStore(redis: Redis, keys: Keyspace): SessionStore {
  const touch = (key: string) =>
    redis
      .multi()
      .expire(keys.session(key), sessionTtlSeconds)
      .expire(keys.participants(key), sessionTtlSeconds)
      .expire(keys.checkpoints(key), sessionTtlSeconds)
      .exec();

  return {
    async exists(key) {
      return (await redis.exists(keys.session(key))) === 1;
    },
    async load(key) {
      const raw = await redis.get(keys.session(key));
      return raw ? (JSON.parse(raw) as SessionRecord) : undefined;
    },
    async save(record) {
      await redis.set(keys.session(record.key), JSON.stringify(record), "EX", sessionTtlSeconds);
    },
    async addParticipant(key, userId) {
      await redis.sadd(keys.participants(key), userId);
      await touch(key);
    },
    async isParticipant(key, userId) {
      return (await redis.sismember(keys.participants(key), userId)) === 1;
    },
    async saveCheckpoint(key, record) {
      await redis.hset(keys.checkpoints(key), record.restoreId, JSON.stringify(record));
      await touch(key);
    },
    async findCheckpoint(key, restoreId) {
      const raw = await redis.hget(keys.checkpoints(key), restoreId);
      return raw ? (JSON.parse(raw) as CheckpointRecord) : undefined;
    },
  };
}
