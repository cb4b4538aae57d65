import type { Redis } from "ioredis";
import type {
  ApprovalRecord,
  CheckpointRecord,
  SessionRecord,
  SessionStore,
} from "../src/session/session-store.ts";
import type { Keyspace } from "./redis-keys.ts";

/** Sessions idle for this long are forgotten; a new mention starts afresh. */
const sessionTtlSeconds = 14 * 24 * 3600;

// First decision wins: a click and an expiry racing cannot both be recorded.
const decideOnce = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local record = cjson.decode(raw)
if record.decision then return raw end
record.decision = ARGV[2]
if ARGV[3] ~= '' then record.decidedBy = ARGV[3] end
local updated = cjson.encode(record)
redis.call('HSET', KEYS[1], ARGV[1], updated)
return updated`;

export function createRedisSessionStore(redis: Redis, keys: Keyspace): SessionStore {
  const touch = (key: string) =>
    redis
      .multi()
      .expire(keys.session(key), sessionTtlSeconds)
      .expire(keys.participants(key), sessionTtlSeconds)
      .expire(keys.checkpoints(key), sessionTtlSeconds)
      .expire(keys.approvals(key), sessionTtlSeconds)
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
    async remove(key) {
      await redis.del(keys.session(key), keys.participants(key), keys.inbox(key), keys.notes(key));
    },
    async addSandboxKey(sandboxKey) {
      await redis.sadd(keys.sandboxKeys(), sandboxKey);
    },
    async removeSandboxKey(sandboxKey) {
      await redis.srem(keys.sandboxKeys(), sandboxKey);
    },
    async sandboxKeys() {
      return redis.smembers(keys.sandboxKeys());
    },
    async saveApproval(key, record) {
      await redis.hset(keys.approvals(key), record.approvalId, JSON.stringify(record));
      await touch(key);
    },
    async findApproval(key, approvalId) {
      const raw = await redis.hget(keys.approvals(key), approvalId);
      return raw ? (JSON.parse(raw) as ApprovalRecord) : undefined;
    },
    async decideApproval(key, approvalId, decision, by) {
      const raw = (await redis.eval(decideOnce, 1, keys.approvals(key), approvalId, decision, by ?? "")) as
        | string
        | null;
      return raw ? (JSON.parse(raw) as ApprovalRecord) : undefined;
    },
  };
}
