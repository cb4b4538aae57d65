import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A tree shaped like a checked-out service: `files` files totalling about `megabytes`, one tenth of
 * them in a committed git repository (so `.git` objects, packs and an index are part of it).
 */
export async function generateTree(
  dir: string,
  files: number,
  megabytes: number,
): Promise<{ files: number; bytes: number }> {
  const fileSize = Math.floor((megabytes * 1024 * 1024) / files);
  const pool = randomBytes(4 * 1024 * 1024);
  const repoFiles = Math.floor(files / 10);
  for (let index = 0; index < 50; index++)
    await mkdir(path.join(dir, "repo", `pkg${index}`), { recursive: true });
  for (let index = 0; index < 200; index++)
    await mkdir(path.join(dir, "data", `d${index}`), { recursive: true });
  let bytes = 0;
  const writes: Promise<void>[] = [];
  for (let index = 0; index < files; index++) {
    const inRepo = index < repoFiles;
    const sub = inRepo ? path.join("repo", `pkg${index % 50}`) : path.join("data", `d${index % 200}`);
    const dir2 = path.join(dir, sub);
    const offset = (index * 7919) % (pool.length - fileSize);
    writes.push(writeFile(path.join(dir2, `f${index}.bin`), pool.subarray(offset, offset + fileSize)));
    bytes += fileSize;
    if (writes.length >= 256) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  const git = (...args: string[]) => run("git", ["-C", path.join(dir, "repo"), ...args]);
  await git("init", "-q");
  await git("-c", "user.email=bench@example.com", "-c", "user.name=bench", "add", "-A");
  await git("-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qm", "bench");
  return { files, bytes };
}
