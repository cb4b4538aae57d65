import type { WordPart } from "./shell-syntax-tree.ts";
import { ShellSyntaxError } from "./shell-tokens.ts";

const ansiEscapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", e: "\x1b", a: "\x07", "0": "\0" };

/** Adjacent literal text with the same quoting is one part, so `"a"b` stays two and `ab` one. */
export function appendLiteral(parts: WordPart[], value: string, quoted: boolean): void {
  const last = parts.at(-1);
  if (last?.kind === "literal" && last.quoted === quoted) last.value += value;
  else parts.push({ kind: "literal", value, quoted });
}

/** The body of `$'…'` from `start` (after the opening quote) to the closing quote, decoded. */
export function decodeAnsiC(source: string, start: number): { value: string; end: number } {
  let value = "";
  let index = start;
  for (;;) {
    const char = source[index];
    if (char === undefined) throw new ShellSyntaxError("reached the end without a closing quote");
    index += 1;
    if (char === "'") return { value, end: index };
    if (char !== "\\") {
      value += char;
      continue;
    }
    const escaped = source[index] ?? "";
    index += 1;
    const hex = escaped === "x" ? /^[0-9a-fA-F]{1,2}/.exec(source.slice(index)) : null;
    if (hex) {
      value += String.fromCharCode(Number.parseInt(hex[0], 16));
      index += hex[0].length;
    } else value += ansiEscapes[escaped] ?? escaped;
  }
}

/**
 * A here-document body: the lines from `start` up to the delimiter line (`<<-` strips
 * leading tabs first). Bash accepts a missing delimiter at the end, and so does this.
 */
export function readHeredocBody(
  source: string,
  start: number,
  delimiter: string,
  stripsTabs: boolean,
): { body: string; end: number } {
  let body = "";
  let index = start;
  while (index < source.length) {
    const newline = source.indexOf("\n", index);
    const lineEnd = newline < 0 ? source.length : newline;
    const line = source.slice(index, lineEnd);
    const content = stripsTabs ? line.replace(/^\t+/, "") : line;
    index = lineEnd + 1;
    if (content === delimiter) break;
    body += `${content}\n`;
  }
  return { body, end: Math.min(index, source.length) };
}

/** Backtick text from `start` (after the opening backtick), with backslash-escaped backtick, backslash and `$` unescaped. */
export function readBacktickContent(source: string, start: number): { content: string; end: number } {
  let content = "";
  let index = start;
  for (;;) {
    const char = source[index];
    if (char === undefined) throw new ShellSyntaxError("reached the end without a closing backtick");
    index += 1;
    if (char === "`") return { content, end: index };
    const escaped = source[index];
    if (char === "\\" && (escaped === "`" || escaped === "\\" || escaped === "$")) {
      content += escaped;
      index += 1;
    } else content += char;
  }
}

/** The index just past the `)` that closes the `(` at `start`. */
export function balancedParensEnd(source: string, start: number): number {
  let depth = 0;
  let index = start;
  do {
    const char = source[index];
    if (char === undefined) throw new ShellSyntaxError("unclosed parenthesis");
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    index += 1;
  } while (depth > 0);
  return index;
}
