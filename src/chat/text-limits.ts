/**
 * Fitting text into a platform's limits without losing what matters: commands print their
 * errors at the end and their context at the start, so long text keeps its head and tail.
 */

export function headAndTail(text: string, limit: number, note = "full output attached"): string {
  if (text.length <= limit) return text;
  const marker = `\n… ${text.length - limit} characters cut, ${note} …\n`;
  const half = Math.floor((limit - marker.length) / 2);
  return `${text.slice(0, half)}${marker}${text.slice(text.length - half)}`;
}

/** A fenced block that a fence inside the output cannot close early. */
export function codeBlock(output: string, limit: number): string {
  const fence = "```";
  const body = headAndTail(output.replaceAll(fence, "ˋˋˋ"), limit - 2 * fence.length - 2);
  return `${fence}\n${body}${body.endsWith("\n") ? "" : "\n"}${fence}`;
}

/** One line of inline code: backticks and newlines would break it. */
export function inlineCode(text: string, limit: number): string {
  return clip(text.replaceAll("`", "ˋ").replaceAll("\n", " "), limit);
}

export function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
