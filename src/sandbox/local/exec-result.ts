import type { ExecResult } from "../sandbox.ts";
import type { RawRunResult } from "./run-process.ts";

export function toExecResult(raw: RawRunResult): ExecResult {
  return {
    exitCode: raw.exitCode,
    signal: raw.signal,
    stdout: raw.stdout.toString("utf8"),
    stderr: raw.stderr.toString("utf8"),
    timedOut: raw.timedOut,
    truncated: raw.truncated,
    durationMs: raw.durationMs,
  };
}

/** File transfers and copies are not capped like command output. */
export const UNCAPPED = 1024 * 1024 * 1024;
