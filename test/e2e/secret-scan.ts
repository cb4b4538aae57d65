import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";

/** The forms a leaked token takes most often: as is, base64 (both alphabets), hex, URL-encoded. */
export function leakForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [
    secret,
    bytes.toString("base64"),
    bytes.toString("base64url"),
    bytes.toString("hex"),
    encodeURIComponent(secret),
  ];
}

function findIn(text: string, secret: string): string | undefined {
  return leakForms(secret).find((form) => text.includes(form));
}

/** Every key and value under the prefix, whatever its type (BullMQ jobs are hashes). */
export async function redisLeaks(redis: Redis, prefix: string, secret: string): Promise<string[]> {
  const leaks: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    let content = "";
    if (type === "string") content = (await redis.get(key)) ?? "";
    else if (type === "hash") content = JSON.stringify(await redis.hgetall(key));
    else if (type === "list") content = JSON.stringify(await redis.lrange(key, 0, -1));
    else if (type === "set") content = JSON.stringify(await redis.smembers(key));
    else if (type === "zset") content = JSON.stringify(await redis.zrange(key, 0, -1));
    else if (type === "stream") content = JSON.stringify(await redis.xrange(key, "-", "+"));
    if (findIn(`${key}\n${content}`, secret)) leaks.push(key);
  }
  return leaks;
}

/** Regular files under `dir` (a sandbox root: workspace, home, tmp, overlay layers) holding it. */
export async function fileLeaks(dir: string, secret: string): Promise<string[]> {
  const leaks: string[] = [];
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current).catch(() => [] as string[])) {
      const full = path.join(current, entry);
      const stats = await lstat(full).catch(() => undefined);
      if (!stats) continue;
      if (stats.isDirectory()) await walk(full);
      else if (stats.isFile() && findIn((await readFile(full)).toString("latin1"), secret)) leaks.push(full);
    }
  }
  await walk(dir);
  return leaks;
}
