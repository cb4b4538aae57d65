import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { fileLeaks, redisLeaks } from "./secret-scan.ts";

const secret = "gho_PLANTED0sentinel0for0the0scanners";

// The leak checks must be able to fail, or a green leak test proves nothing.
describe("the secret scanners", () => {
  it("find a planted token in a nested file, in base64 and hex too", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "threadhands-scan-"));
    await mkdir(path.join(dir, "a", "b"), { recursive: true });
    await writeFile(path.join(dir, "a", "b", "plain.txt"), `x${secret}y`);
    await writeFile(path.join(dir, "a", "encoded.txt"), Buffer.from(secret).toString("base64"));
    await writeFile(path.join(dir, "hex.txt"), Buffer.from(secret).toString("hex"));
    await writeFile(path.join(dir, "clean.txt"), "nothing here");
    expect((await fileLeaks(dir, secret)).map((file) => path.relative(dir, file)).sort()).toEqual([
      "a/b/plain.txt",
      "a/encoded.txt",
      "hex.txt",
    ]);
    await rm(dir, { recursive: true, force: true });
  });

  it("find a planted token in a Redis hash, list and string", async () => {
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    await redis.hset(`${prefix}:job`, "data", JSON.stringify({ token: secret }));
    await redis.rpush(`${prefix}:list`, encodeURIComponent(secret));
    await redis.set(`${prefix}:clean`, "nothing");
    expect((await redisLeaks(redis, prefix, secret)).sort()).toEqual([`${prefix}:job`, `${prefix}:list`]);
    await redis.del(`${prefix}:job`, `${prefix}:list`, `${prefix}:clean`);
    redis.disconnect();
  });
});
