import type { RiskLevel } from "./risk.ts";

/** One argument as a rule sees it. */
export interface Arg {
  /** The static value (quotes removed), or the source text when it expands at run time. */
  value: string;
  literal: boolean;
  /** Stands for any number of paths: an unquoted glob, `{}` under find, xargs' input. */
  many: boolean;
}

export interface Invocation {
  /** The program's base name (`/usr/bin/rm` → `rm`). */
  program: string;
  args: Arg[];
  /** Text known to reach standard input: a here-document, a here-string, `echo … |`. */
  stdin: string | undefined;
}

/** What a rule concludes; the classifier resolves the effects that need more work. */
export type Effect =
  | { kind: "risk"; level: RiskLevel; reason: string }
  /** A wrapper (`sudo`, `xargs`, `find -exec`) runs this command line. */
  | { kind: "runs"; args: Arg[] }
  /** `bash -c`, `eval`, `ssh host '…'`: this text is a script in its own right. */
  | { kind: "runs-script"; source: string }
  /** Replaces `path` when it exists (the caller's probe decides); otherwise creates it. */
  | { kind: "may-overwrite"; path: string; verb: string };

export type CommandRule = (invocation: Invocation) => Effect[];

export function read(reason: string): Effect {
  return { kind: "risk", level: "read", reason };
}

export function write(reason: string): Effect {
  return { kind: "risk", level: "write", reason };
}

export function destructive(reason: string): Effect {
  return { kind: "risk", level: "destructive", reason };
}

export function runs(args: Arg[]): Effect {
  return { kind: "runs", args };
}

export function reads(program: string): CommandRule {
  return () => [read(`${program} only reads`)];
}

export function writes(reason: string): CommandRule {
  return () => [write(reason)];
}

export function destroys(reason: string): CommandRule {
  return () => [destructive(reason)];
}

/** The arguments before `--`, where options live. */
function optionArgs(args: Arg[]): Arg[] {
  const end = args.findIndex((arg) => arg.literal && arg.value === "--");
  return end < 0 ? args : args.slice(0, end);
}

/** `-rf` counts as `-r` and `-f`; `--recursive` and `--recursive=x` count as `--recursive`. */
export function hasFlag(args: Arg[], shortLetters: string, longNames: string[] = []): boolean {
  return optionArgs(args).some((arg) => {
    if (!arg.literal) return false;
    if (arg.value.startsWith("--")) return longNames.some((name) => arg.value.split("=")[0] === `--${name}`);
    return (
      arg.value.startsWith("-") && [...arg.value.slice(1)].some((letter) => shortLetters.includes(letter))
    );
  });
}

/** `-X POST`, `-XPOST`, `--request POST` and `--request=POST` all give `POST`. */
export function optionValue(args: Arg[], short: string | undefined, long: string): string | undefined {
  const options = optionArgs(args);
  for (const [index, arg] of options.entries()) {
    if (arg.value === `--${long}` || (short !== undefined && arg.value === `-${short}`)) {
      return options[index + 1]?.value;
    }
    if (arg.value.startsWith(`--${long}=`)) return arg.value.slice(long.length + 3);
    if (short !== undefined && arg.value.startsWith(`-${short}`) && !arg.value.startsWith("--")) {
      return arg.value.slice(2);
    }
  }
  return undefined;
}

/**
 * The words that are not options, skipping the values of options known to take one, so
 * `kubectl -n prod delete pod x` gives `delete pod x`.
 */
export function positionals(args: Arg[], valueOptions: ReadonlySet<string> = new Set()): Arg[] {
  const result: Arg[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === undefined) break;
    if (arg.literal && arg.value === "--") {
      result.push(...args.slice(index + 1));
      break;
    }
    if (!arg.literal || !arg.value.startsWith("-") || arg.value === "-") {
      result.push(arg);
    } else if (valueOptions.has(arg.value)) {
      index += 1;
    }
  }
  return result;
}

export function values(args: Arg[]): string[] {
  return args.map((arg) => arg.value);
}

/** Flags that signal force or reach, for commands whose program name is unknown (`$CMD -rf /`). */
export function looksDestructive(args: Arg[]): boolean {
  const destructiveWords =
    /^(delete|destroy|drop|truncate|purge|prune|flushall|flushdb|wipe|uninstall|kill)$/i;
  return args.some((arg) => {
    if (!arg.literal) return false;
    if (/^-[a-zA-Z]*[rRf]/.test(arg.value) && !arg.value.startsWith("--")) return true;
    if (/^--(force|recursive|hard|delete|prune)\b/.test(arg.value) || arg.value === "-9") return true;
    return arg.value === "/" || arg.value === "~" || destructiveWords.test(arg.value);
  });
}

/**
 * Where a wrapped command starts: past the wrapper's own leading options (and their values)
 * and `skip` positional operands (`timeout 5s cmd`, `chroot /srv cmd`). Unlike
 * `positionals`, it keeps the wrapped command's own options intact.
 */
export function commandAfter(args: Arg[], valueOptions: ReadonlySet<string>, skip = 0): Arg[] {
  let index = 0;
  let operands = 0;
  while (index < args.length) {
    const arg = args[index];
    if (arg === undefined) break;
    if (arg.literal && arg.value === "--") return args.slice(index + 1 + skip - operands);
    if (arg.literal && arg.value.startsWith("-") && arg.value !== "-") {
      index += valueOptions.has(arg.value) ? 2 : 1;
    } else if (operands < skip) {
      operands += 1;
      index += 1;
    } else break;
  }
  return args.slice(index);
}
