import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { redisAnswers } from "../../queue/private-redis-server.ts";
import { channel, type FaultRig, startFaultRig } from "./worker-processes.ts";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Redis of this test's own (AOF on, as production runs it), so restarting it disturbs no other test. */
async function startRedis(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--save",
      "",
      "--maxmemory-policy",
      "noeviction",
    ],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100 && !(await redisAnswers("127.0.0.1", port)); i++)
    await new Promise((r) => setTimeout(r, 50));
  return child;
}

describe("a Redis restart during a turn", () => {
  let rig: FaultRig | undefined;
  let redis: ChildProcess | undefined;
  let dir = "";
  afterEach(async () => {
    await rig?.close();
    redis?.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  });

  it("lets the running turn complete once Redis is back, and answers Slack 5xx at once while it is down", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "threadhands-redis-"));
    const port = await freePort();
    redis = await startRedis(dir, port);
    rig = await startFaultRig({ redisUrl: `redis://127.0.0.1:${port}` });
    const { slack, model } = rig;
    model.script(
      { toolCalls: [{ name: "run_command", arguments: { command: "sleep 3; echo survived" } }] },
      { content: "Finished despite the Redis restart." },
    );
    rig.startWorker();
    await rig.mention("U0ALICE", "slow check");
    await slack.waitForMessage(channel, (message) => message.text.includes("running `sleep 3"), {
      timeoutMs: 20_000,
    });

    const stopped = new Promise((resolve) => redis?.once("exit", resolve));
    redis.kill("SIGTERM"); // redis-server flushes its AOF on SIGTERM
    await stopped;
    const askedAt = Date.now();
    const status = await rig.mentionStatus("U0BOB", "are you there?");
    expect(status).toBeGreaterThanOrEqual(500);
    expect(Date.now() - askedAt).toBeLessThan(3_000);
    redis = await startRedis(dir, port);

    const answer = await slack.waitForMessage(
      channel,
      (m) => m.text === "Finished despite the Redis restart.",
      {
        timeoutMs: 30_000,
      },
    );
    expect(answer.thread_ts).toBeDefined();
    model.assertDone();
  });
});
