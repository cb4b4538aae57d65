import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { resolve } from "node:path";
import { AppError } from "../src/errors.ts";

/** Whether something answers PING at host:port within the timeout. */
export async function redisAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    const finish = (answer: boolean) => {
      socket.destroy();
      done(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) =>
      finish(data.toString().startsWith("+PONG") || data.toString().startsWith("-NOAUTH")),
    );
  });
}

/**
 * A developer's `npm start` needs no Redis set-up: when nothing answers on 127.0.0.1:6379, start
 * a private redis-server (AOF on, noeviction, data under the data dir) and stop it on exit.
 */
export async function startPrivateRedis(
  dataDir: string,
  port = 6379,
): Promise<{ url: string; stop(): void }> {
  const dir = resolve(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    "redis-server",
    [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--maxmemory-policy",
      "noeviction",
      "--save",
      "",
    ],
    { stdio: "ignore" },
  );
  const spawned = await new Promise<boolean>((done) => {
    child.once("spawn", () => done(true));
    child.once("error", () => done(false));
  });
  if (!spawned) {
    throw new AppError(
      "redis_unavailable",
      "No Redis answers on 127.0.0.1:6379 and redis-server is not installed. Install it (apt-get install redis-server) or set REDIS_URL.",
    );
  }
  const stop = () => child.kill("SIGTERM");
  process.once("exit", stop);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await redisAnswers("127.0.0.1", port)) return { url: `redis://127.0.0.1:${port}`, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new AppError("redis_unavailable", "The private redis-server did not start within 5 s.");
}
