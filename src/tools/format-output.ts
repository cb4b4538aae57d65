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

/** Keeps the start and the end, where commands print what matters, and says what was cut. */
export function headAndTail(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const half = Math.floor(maxChars / 2);
  const cut = text.length - 2 * half;
  return `${text.slice(0, half)}\n… ${cut} characters cut …\n${text.slice(text.length - half)}`;
}
