import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKeyspace } from "../../queue/redis-keys.ts";
import { createRedisSessionInbox } from "../../queue/redis-session-inbox.ts";
import { createRedisThreadLease } from "../../queue/redis-thread-lease.ts";
import type { InboundMessage } from "../../src/chat/thread.ts";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

function message(id: string, text = "hello"): InboundMessage {
  return {
    messageId: id,
    thread: { platform: "slack", workspace: "T1", channel: "C1", thread: "1.0" },
    user: { id: "U1" },
    text,
    mentioned: true,
    receivedAt: new Date().toISOString(),
  };
}

describe("Redis session stores", () => {
  let redis: Redis;
  let prefix: string;
  beforeEach(() => {
    redis = new Redis(redisUrl);
    prefix = `test-${randomUUID().slice(0, 8)}`;
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("accepts a replayed message into the inbox only once", async () => {
    const inbox = createRedisSessionInbox(redis, createKeyspace(prefix));
    expect(await inbox.push("thread", message("m1"))).toBe(true);
    expect(await inbox.push("thread", message("m1"))).toBe(false);
    expect(await inbox.push("thread", message("m2", "second"))).toBe(true);
    expect((await inbox.take("thread")).map((m) => m.text)).toEqual(["hello", "second"]);
    expect(await inbox.hasMessages("thread")).toBe(false);
    expect(await inbox.push("thread", message("m1"))).toBe(false);
  });

  it("hands each inbox message to exactly one of two concurrent readers", async () => {
    const inbox = createRedisSessionInbox(redis, createKeyspace(prefix));
    for (let i = 0; i < 20; i++) await inbox.push("thread", message(`m${i}`, `text ${i}`));
    const [a, b] = await Promise.all([inbox.take("thread"), inbox.take("thread")]);
    expect(a.length + b.length).toBe(20);
    expect(Math.min(a.length, b.length)).toBe(0);
  });

  it("gives a thread's lease to one holder and lets only that holder renew or release it", async () => {
    const lease = createRedisThreadLease(redis, createKeyspace(prefix));
    expect(await lease.acquire("thread", "worker-a", 5_000)).toBe(true);
    expect(await lease.acquire("thread", "worker-b", 5_000)).toBe(false);
    expect(await lease.renew("thread", "worker-b", 5_000)).toBe(false);
    await lease.release("thread", "worker-b");
    expect(await lease.acquire("thread", "worker-b", 5_000)).toBe(false);
    expect(await lease.renew("thread", "worker-a", 5_000)).toBe(true);
    await lease.release("thread", "worker-a");
    expect(await lease.acquire("thread", "worker-b", 5_000)).toBe(true);
  });

  it("lets a lease expire so a crashed holder does not block the thread forever", async () => {
    const lease = createRedisThreadLease(redis, createKeyspace(prefix));
    expect(await lease.acquire("thread", "crashed", 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await lease.acquire("thread", "next", 5_000)).toBe(true);
    expect(await lease.renew("thread", "crashed", 5_000)).toBe(false);
  });
});
