import type { Word } from "./shell-syntax-tree.ts";

export type Token =
  | { type: "word"; word: Word }
  /** `;` `;;` `;&` `;;&` `&` `&&` `|` `||` `|&` `(` `)` and `\n`. */
  | { type: "op"; value: string }
  | { type: "redirect"; op: string; fd: string | undefined }
  | { type: "eof" };

export class ShellSyntaxError extends Error {
  override name = "ShellSyntaxError";
}

/** Reserved words count only as one unquoted literal in command position. */
export function reservedWord(token: Token): string | undefined {
  if (token.type !== "word" || token.word.parts.length !== 1) return undefined;
  const part = token.word.parts[0];
  return part?.kind === "literal" && !part.quoted ? part.value : undefined;
}

export function isOp(token: Token, ...values: string[]): boolean {
  return token.type === "op" && values.includes(token.value);
}

export function describeToken(token: Token): string {
  if (token.type === "word") return `"${token.word.raw}"`;
  if (token.type === "eof") return "end of input";
  if (token.type === "redirect") return token.op;
  return token.value === "\n" ? "newline" : token.value;
}
