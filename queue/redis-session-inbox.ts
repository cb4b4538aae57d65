import type { Redis } from "ioredis";
import type { InboundMessage } from "../src/chat/thread.ts";
import type { SessionInbox } from "../src/session/session-store.ts";
import type { Keyspace } from "./redis-keys.ts";

const seenTtlSeconds = 24 * 3600;

// Dedupe and append in one step: a message replayed after a worker crash is not read twice.
const pushOnce = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[1], ARGV[2])
return 1`;

// Read and clear in one step, so two readers never both get a message.
const takeAll = `
local items = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return items`;

export function createRedisSessionInbox(redis: Redis, keys: Keyspace): SessionInbox {
  return {
    async push(key, message) {
      const added = await redis.eval(
        pushOnce,
        2,
        keys.inbox(key),
        keys.inboxSeen(key),
        message.messageId,
        JSON.stringify(message),
        seenTtlSeconds,
      );
      return added === 1;
    },
    async take(key) {
      const items = (await redis.eval(takeAll, 1, keys.inbox(key))) as string[];
      return items.map((item) => JSON.parse(item) as InboundMessage);
    },
    async hasMessages(key) {
      return (await redis.llen(keys.inbox(key))) > 0;
    },
    async addNote(key, text) {
      await redis.rpush(keys.notes(key), text);
    },
    async takeNotes(key) {
      return (await redis.eval(takeAll, 1, keys.notes(key))) as string[];
    },
    async requestStop(key, userId) {
      // A stop request outliving its turn would cancel the next one: it expires quickly.
      await redis.set(keys.stop(key), userId, "EX", 60);
    },
    async takeStopRequest(key) {
      return (await redis.getdel(keys.stop(key))) ?? undefined;
    },
  };
}
