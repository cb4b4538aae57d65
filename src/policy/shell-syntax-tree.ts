/**
 * The shell syntax tree the risk walker reads. It keeps only what matters for risk: which
 * programs run, with which words, which redirects, and every nested script (command
 * substitution, process substitution, function and compound bodies). Everything the shell
 * would only know at run time (parameter and arithmetic expansion) stays marked as such, so
 * rules never mistake `$CMD` for a program name.
 */

export interface Script {
  lists: AndOrList[];
}

/** `a && b || c`: the operators do not change the risk, since any branch may run. */
export interface AndOrList {
  pipelines: Pipeline[];
}

export interface Pipeline {
  commands: Command[];
}

export type Command = SimpleCommand | CompoundCommand;

export interface SimpleCommand {
  kind: "simple";
  /** `NAME=value` words before the program; their values may hold substitutions. */
  assignments: Word[];
  words: Word[];
  redirects: Redirect[];
}

export type CompoundConstruct =
  | "subshell"
  | "group"
  | "if"
  | "while"
  | "for"
  | "case"
  | "function"
  | "test"
  | "arithmetic";

export interface CompoundCommand {
  kind: "compound";
  construct: CompoundConstruct;
  /** Every script inside, walked as if it runs: the conservative reading of a branch or a loop. */
  bodies: Script[];
  /** Words the construct expands itself (a `for` list, a `case` subject, `[[ … ]]` operands). */
  words: Word[];
  redirects: Redirect[];
}

export interface Redirect {
  /** `>`, `>>`, `>|`, `&>`, `&>>`, `>&`, `<`, `<>`, `<&`, `<<`, `<<-`, `<<<`. */
  op: string;
  /** The explicit file descriptor (`2>`), when given. */
  fd: string | undefined;
  /** The file, the fd to duplicate, the here-string, or the here-document delimiter. */
  target: Word;
  /** A here-document's body; quoted delimiters give a body without expansions. */
  heredoc: Word | undefined;
}

export interface Word {
  /** The source text, shown in reasons when the value is not static. */
  raw: string;
  parts: WordPart[];
}

export type WordPart =
  | { kind: "literal"; value: string; quoted: boolean }
  /** `$x`, `${x:-…}`, `$((…))`: a value only known at run time; may hold nested scripts. */
  | { kind: "expansion"; raw: string; scripts: Script[]; quoted: boolean }
  /** `$(…)`, backticks, `<(…)`, `>(…)`: a script that runs while the word is expanded. */
  | { kind: "substitution"; script: Script; quoted: boolean };

/** The word's value when it is fully static (quotes removed), otherwise undefined. */
export function literalValue(word: Word): string | undefined {
  let value = "";
  for (const part of word.parts) {
    if (part.kind !== "literal") return undefined;
    value += part.value;
  }
  return value;
}

/** The word as the program would roughly receive it: quotes removed, expansions left as written. */
export function renderWord(word: Word): string {
  return word.parts
    .map((part) => (part.kind === "literal" ? part.value : part.kind === "expansion" ? part.raw : "$(…)"))
    .join("");
}

/** An unquoted `*`, `?` or `[` expands to any number of paths, so its reach is unknown. */
export function hasUnquotedGlob(word: Word): boolean {
  return word.parts.some((part) => part.kind === "literal" && !part.quoted && /[*?[]/.test(part.value));
}

/** Unquoted expansions split into fields, so `rm $files` may name any number of paths. */
export function hasUnquotedExpansion(word: Word): boolean {
  return word.parts.some((part) => part.kind !== "literal" && !part.quoted);
}

export function nestedScripts(word: Word): Script[] {
  const scripts: Script[] = [];
  for (const part of word.parts) {
    if (part.kind === "substitution") scripts.push(part.script);
    if (part.kind === "expansion") scripts.push(...part.scripts);
  }
  return scripts;
}
