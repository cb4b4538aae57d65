import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";
import { mountOverlay, unmount } from "./overlay-mounts.ts";
import { runProcess } from "./run-process.ts";

/**
 * Merges frozen layers base..top into one layer at index `top` (a deep stack slows lookups and
 * stops mounting near the option-string limit). Costs a copy of the merged view, so it runs only
 * when checkpoints exceed the configured maximum. The overlay of the sandbox must be unmounted.
 * Returns a directory of dropped layers for the caller to delete.
 */
export async function foldLayers(options: { dir: string; base: number; top: number }): Promise<string> {
  const { dir, base, top } = options;
  const trash = path.join(dir, `T-fold-${Date.now().toString(36)}`);
  await mkdir(trash);
  if (top <= base) return trash;
  const view = path.join(dir, "F");
  const folded = path.join(dir, "L", `${top}.folded`);
  await mkdir(view, { recursive: true });
  await rm(folded, { recursive: true, force: true });
  const lowers: string[] = [];
  for (let layer = top; layer >= base; layer--) lowers.push(`L/${layer}`);
  await mountOverlay({ cwd: dir, lowers, target: view });
  try {
    const copy = await runProcess({
      file: "cp",
      args: ["-a", "--", `${view}/.`, folded],
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 30 * 60_000,
      maxOutputBytes: 64 * 1024,
    });
    if (copy.exitCode !== 0) throw new AppError("sandbox_fold_failed", copy.stderr.toString().trim());
  } finally {
    await unmount(view);
  }
  for (let layer = base; layer <= top; layer++)
    await rename(path.join(dir, "L", String(layer)), path.join(trash, String(layer)));
  await rename(folded, path.join(dir, "L", String(top)));
  return trash;
}
