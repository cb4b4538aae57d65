import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisTurnSlots } from "../../queue/redis-turn-slots.ts";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("turn slots per workspace and per user", () => {
  let redis: Redis;
  let prefix: string;
  beforeEach(() => {
    redis = new Redis(redisUrl);
    prefix = `test-${randomUUID().slice(0, 8)}`;
  });
  afterEach(async () => {
    const keys = await redis.keys(`{${prefix}:slots}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const caps = (user: string) => [
    { scope: "workspace:T1", limit: 2 },
    { scope: `user:T1:${user}`, limit: 1 },
  ];

  it("caps a user at one turn while others in the workspace still get theirs, up to the workspace cap", async () => {
    const slots = createRedisTurnSlots(redis, prefix);
    expect(await slots.acquire(caps("alice"), "job-1", 5_000)).toBe(true);
    expect(await slots.acquire(caps("alice"), "job-2", 5_000)).toBe(false);
    expect(await slots.acquire(caps("bob"), "job-3", 5_000)).toBe(true);
    expect(await slots.acquire(caps("carol"), "job-4", 5_000)).toBe(false);
    await slots.release(["workspace:T1", "user:T1:alice"], "job-1");
    expect(await slots.acquire(caps("carol"), "job-4", 5_000)).toBe(true);
  });

  it("takes every scope or none, so a refused turn holds no slot", async () => {
    const slots = createRedisTurnSlots(redis, prefix);
    expect(await slots.acquire(caps("alice"), "job-1", 5_000)).toBe(true);
    expect(await slots.acquire(caps("alice"), "job-2", 5_000)).toBe(false);
    expect(await redis.zcard(`{${prefix}:slots}:workspace:T1`)).toBe(1);
  });

  it("frees the slots of a holder that stopped renewing (a crashed worker)", async () => {
    const slots = createRedisTurnSlots(redis, prefix);
    expect(await slots.acquire(caps("alice"), "crashed", 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await slots.acquire(caps("alice"), "next", 5_000)).toBe(true);
  });
});
