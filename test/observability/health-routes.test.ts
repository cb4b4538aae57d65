import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createHealthRoutes, queueOpenCheck, redisPingCheck } from "../../src/observability/health-routes.ts";
import { type HealthServer, startHealthServer } from "../../src/observability/health-server.ts";
import { createMetrics } from "../../src/observability/metrics.ts";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A worker's client settings: with maxRetriesPerRequest null a command waits for Redis forever. */
function workerStyleRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on("error", () => {});
  return redis;
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
}

describe("health routes on a real HTTP server", () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    // Taken out first, so a cleanup that fails is not run again after the next test.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(options: Parameters<typeof createHealthRoutes>[0]): Promise<string> {
    const server: HealthServer = await startHealthServer({
      routes: createHealthRoutes(options),
      port: 0,
      host: "127.0.0.1",
    });
    cleanups.push(() => server.close());
    return `http://127.0.0.1:${server.port}`;
  }

  it("answers /healthz with 200 and ok:true while the process lives", async () => {
    const base = await serve({});
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ ok: true });
  });

  it("answers /readyz with 200 and each check when Redis answers and the queue is open", async () => {
    const redis = workerStyleRedis(redisUrl);
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const queue = new Queue("turns", { connection: redis, prefix });
    cleanups.push(() => redis.disconnect());
    cleanups.push(() => deleteKeys(redis, prefix));
    cleanups.push(() => queue.close());
    const base = await serve({ checks: { redis: redisPingCheck(redis), turnsQueue: queueOpenCheck(queue) } });
    const response = await fetch(`${base}/readyz`);
    const body = (await response.json()) as {
      ok: boolean;
      checks: Record<string, { ok: boolean; ms: number }>;
    };
    expect(response.status).toBe(200);
    expect(body.ok).toBe(true);
    expect(body.checks.redis).toMatchObject({ ok: true, ms: expect.any(Number) });
    expect(body.checks.turnsQueue?.ok).toBe(true);
  });

  it("answers /readyz with 503 once a queue is closing", async () => {
    const redis = workerStyleRedis(redisUrl);
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const queue = new Queue("turns", { connection: redis, prefix });
    cleanups.push(() => redis.disconnect());
    cleanups.push(() => deleteKeys(redis, prefix));
    await queue.close();
    const base = await serve({ checks: { redis: redisPingCheck(redis), turnsQueue: queueOpenCheck(queue) } });
    const response = await fetch(`${base}/readyz`);
    const body = (await response.json()) as {
      ok: boolean;
      checks: Record<string, { ok: boolean; error?: string }>;
    };
    expect(response.status).toBe(503);
    expect(body.checks.redis?.ok).toBe(true);
    expect(body.checks.turnsQueue).toMatchObject({ ok: false, error: "queue turns is closing" });
  });

  it("answers /readyz with 503 within the timeout when nothing listens at the Redis URL", async () => {
    const redis = workerStyleRedis("redis://127.0.0.1:1");
    cleanups.push(() => redis.disconnect());
    const base = await serve({ checks: { redis: redisPingCheck(redis) }, checkTimeoutMs: 300 });
    const started = performance.now();
    const response = await fetch(`${base}/readyz`);
    const elapsed = performance.now() - started;
    const body = (await response.json()) as {
      ok: boolean;
      checks: Record<string, { ok: boolean; error?: string }>;
    };
    expect(response.status).toBe(503);
    expect(body.ok).toBe(false);
    expect(body.checks.redis).toMatchObject({ ok: false, error: "no answer within 300 ms" });
    expect(elapsed).toBeLessThan(2000);
  });

  it("answers /readyz with 503 within the timeout when Redis accepts the connection but never replies", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => silent.close(resolve));
    });
    const port = (silent.address() as { port: number }).port;
    const redis = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: null, lazyConnect: true });
    redis.on("error", () => {});
    redis.connect().catch(() => {});
    cleanups.push(() => redis.disconnect());
    const base = await serve({ checks: { redis: redisPingCheck(redis) }, checkTimeoutMs: 300 });
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
  });

  it("serves /metrics as Prometheus text with the registry's content type", async () => {
    const metrics = createMetrics();
    metrics.turnEnded("slack", "answered");
    const base = await serve({ registry: metrics.registry });
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(text).toContain("# TYPE threadhands_turns_total counter");
    expect(text).toContain('threadhands_turns_total{platform="slack",outcome="answered"} 1');
  });

  it("answers an unknown path with 404 and a wrong method with 405", async () => {
    const base = await serve({});
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const wrong = await fetch(`${base}/healthz`, { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
  });
});
