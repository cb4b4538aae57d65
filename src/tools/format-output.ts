import { headAndTail as fitText } from "../chat/text-limits.ts";
import type { ExecResult } from "../sandbox/sandbox.ts";

/** The model reads exit status first, then each stream, trimmed to its head and tail. */
export function formatExecForModel(result: ExecResult, limitBytes: number): string {
  const status =
    result.exitCode === null ? `killed by ${result.signal ?? "a signal"}` : `exit code ${result.exitCode}`;
  const parts = [status];
  if (result.stdout) parts.push(`stdout:\n${headAndTail(result.stdout, limitBytes / 2)}`);
  if (result.stderr) parts.push(`stderr:\n${headAndTail(result.stderr, limitBytes / 2)}`);
  if (result.truncated) parts.push("(output was capped by the sandbox)");
  return parts.join("\n");
}

/** The model's version of head and tail: it needs to know output was cut, not where a file is. */
export function headAndTail(text: string, maxChars: number): string {
  return fitText(text, maxChars, "run a narrower command to see it");
}
