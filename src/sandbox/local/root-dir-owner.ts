import { mkdir, open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";

/**
 * One live provider per sandbox root: starting one cleans up what a crashed predecessor left
 * (mounts, cgroups), which would break sandboxes a second live process is using. The owner file
 * holds the pid; a dead owner's file is taken over.
 */
export async function claimRootDir(rootDir: string): Promise<{ release(): Promise<void> }> {
  const dir = path.join(rootDir, ".provider");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "owner.pid");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => unlink(file).catch(() => {}) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(await readFile(file, "utf8").catch(() => ""), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new AppError(
          "sandbox_dir_in_use",
          `Another threadhands worker (pid ${owner}) owns the sandboxes in ${rootDir}. ` +
            "Local sandboxes belong to one worker process per host; give this one its own THREADHANDS_DATA_DIR.",
        );
      }
      await unlink(file).catch(() => {});
    }
  }
  throw new AppError("sandbox_dir_in_use", `Could not claim ${rootDir} for this worker.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
