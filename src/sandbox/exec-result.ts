import type { ExecResult } from "./sandbox.ts";

/** What a backend collects from one process before it becomes an ExecResult. */
export interface RawRunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

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
