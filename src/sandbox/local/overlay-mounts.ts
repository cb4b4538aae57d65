import { readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";
import { runProcess } from "./run-process.ts";

const TOOL_ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C" };

/**
 * Mounts an overlay whose layer paths are relative to `cwd`: short names keep the option string
 * far below the kernel's one-page limit even with hundreds of layers.
 */
export async function mountOverlay(options: {
  cwd: string;
  lowers: string[];
  upper?: string;
  work?: string;
  target: string;
  signal?: AbortSignal;
}): Promise<void> {
  const parts = [`lowerdir=${options.lowers.join(":")}`];
  if (options.upper && options.work) parts.push(`upperdir=${options.upper}`, `workdir=${options.work}`);
  else parts.unshift("ro");
  // redirect_dir lets `mv` of a directory from a lower layer be a rename instead of a deep copy.
  const withRedirect = options.upper ? [...parts, "redirect_dir=on"] : parts;
  let result = await mountOnce(options.cwd, withRedirect.join(","), options.target, options.signal);
  if (result.exitCode !== 0 && options.upper) {
    result = await mountOnce(options.cwd, parts.join(","), options.target, options.signal);
  }
  if (result.exitCode !== 0) {
    throw new AppError("sandbox_mount_failed", `overlay mount failed: ${result.stderr.toString().trim()}`);
  }
}

function mountOnce(cwd: string, data: string, target: string, signal: AbortSignal | undefined) {
  return runProcess({
    file: "mount",
    args: ["-t", "overlay", "overlay", "-o", data, target],
    cwd,
    env: TOOL_ENV,
    timeoutMs: 30_000,
    maxOutputBytes: 16 * 1024,
    signal,
  });
}

export async function unmount(target: string): Promise<void> {
  const result = await runProcess({
    file: "umount",
    args: [target],
    env: TOOL_ENV,
    timeoutMs: 30_000,
    maxOutputBytes: 16 * 1024,
  });
  if (result.exitCode === 0) return;
  // Busy means a process we failed to kill still holds it; detach so the layers can be dropped.
  const lazy = await runProcess({
    file: "umount",
    args: ["-l", target],
    env: TOOL_ENV,
    timeoutMs: 30_000,
    maxOutputBytes: 16 * 1024,
  });
  if (lazy.exitCode !== 0 && !lazy.stderr.toString().includes("not mounted")) {
    throw new AppError("sandbox_unmount_failed", `umount ${target} failed: ${lazy.stderr.toString().trim()}`);
  }
}

/** Mount points at or below `dir` in this mount namespace, deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return info
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((point): point is string => point !== undefined)
    .map((point) =>
      point.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
    )
    .filter((point) => point === dir || point.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

export async function isMounted(target: string): Promise<boolean> {
  return (await mountsUnder(target)).includes(target);
}
