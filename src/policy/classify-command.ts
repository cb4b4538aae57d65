import { findRule } from "./command-rules.ts";
import { type RiskAssessment, type RiskLevel, riskLevels } from "./risk.ts";
import { type Arg, type Effect, looksDestructive } from "./rule-helpers.ts";
import { collectSites, type Site } from "./shell-ast.ts";
import {
  hasUnquotedExpansion,
  hasUnquotedGlob,
  literalValue,
  type Redirect,
  type Word,
} from "./shell-syntax-tree.ts";
import { scriptFromTree } from "./syntax-tree-from-tree-sitter.ts";
import { ShellParserUnavailable, withBashTree } from "./tree-sitter-bash.ts";

export interface ClassifyOptions {
  /**
   * Tells whether a path exists in the thread's sandbox, so `> file` over an existing file
   * (or `mv`/`tee` onto one) counts as destructive. Without it such writes stay `write`.
   */
  fileExists?: (path: string) => Promise<boolean>;
}

interface Finding {
  level: RiskLevel;
  reason: string;
}

interface Context {
  fileExists: ((path: string) => Promise<boolean>) | undefined;
  depth: number;
}

const unparseable = "could not parse; treated as destructive";
/** `bash -c "bash -c '…'"` nests; past this depth the text is more likely an attack than a task. */
const maxDepth = 8;
const blockDevice = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|loop|md|dm-|disk\/|mapper\/)/;

/**
 * Classifies a shell command line as `read`, `write` or `destructive`: the maximum over
 * every command, redirect and nested script in it, with the reasons for that level.
 * It never throws: anything it cannot read is destructive, which only costs a checkpoint.
 */
export async function classifyCommand(
  command: string,
  options: ClassifyOptions = {},
): Promise<RiskAssessment> {
  let findings: Finding[];
  try {
    findings = await assessScript(command, { fileExists: options.fileExists, depth: 0 });
  } catch {
    findings = [{ level: "destructive", reason: "the classifier failed; treated as destructive" }];
  }
  return summarise(findings);
}

function summarise(findings: Finding[]): RiskAssessment {
  if (findings.length === 0) return { level: "read", reasons: ["nothing to run"] };
  const level =
    riskLevels[Math.max(...findings.map((finding) => riskLevels.indexOf(finding.level)))] ?? "destructive";
  const reasons = [
    ...new Set(findings.filter((finding) => finding.level === level).map((finding) => finding.reason)),
  ];
  return { level, reasons };
}

async function assessScript(source: string, context: Context): Promise<Finding[]> {
  if (context.depth > maxDepth) return [destructive("scripts nested too deeply; treated as destructive")];
  if (source.trim() === "") return [];
  let sites: Site[] | undefined;
  try {
    // tree-sitter recovers from errors instead of failing, so any ERROR or MISSING node
    // means bash would read the text differently from the tree, or reject it.
    sites = await withBashTree(source, (root) =>
      root.hasError ? undefined : collectSites(scriptFromTree(root)),
    );
  } catch (error) {
    if (error instanceof ShellParserUnavailable) {
      return [destructive("the shell parser could not start; treated as destructive")];
    }
    return [destructive(unparseable)];
  }
  if (!sites) return [destructive(unparseable)];
  const findings: Finding[] = [];
  for (const site of sites) findings.push(...(await assessSite(site, context)));
  return findings;
}

async function assessSite(site: Site, context: Context): Promise<Finding[]> {
  if (site.kind === "assignment") return [{ level: "read", reason: "assigns a shell variable" }];
  if (site.kind === "redirect") return assessRedirect(site.redirect, context);
  return assessArgv(site.words.map(toArg), site.stdin, context);
}

async function assessArgv(args: Arg[], stdin: string | undefined, context: Context): Promise<Finding[]> {
  const [head, ...rest] = args;
  if (!head) return [];
  if (!head.literal) return [dynamicProgram(head, rest)];
  const program = head.value.split("/").at(-1) || head.value;
  const rule = findRule(program);
  // Unknown programs are writes: most tools an agent reaches for change something, yet
  // calling every unknown name destructive would post a Restore button for `kubectx`.
  if (!rule) return [{ level: "write", reason: `${program} is not a known command; treated as a write` }];
  const findings: Finding[] = [];
  for (const effect of rule({ program, args: rest, stdin })) {
    findings.push(...(await resolveEffect(effect, stdin, context)));
  }
  return findings;
}

async function resolveEffect(
  effect: Effect,
  stdin: string | undefined,
  context: Context,
): Promise<Finding[]> {
  const nested = { ...context, depth: context.depth + 1 };
  switch (effect.kind) {
    case "risk":
      return [{ level: effect.level, reason: effect.reason }];
    case "runs":
      return context.depth > maxDepth
        ? [destructive("commands nested too deeply")]
        : assessArgv(effect.args, stdin, nested);
    case "runs-script":
      return assessScript(effect.source, nested);
    case "may-overwrite":
      return resolveOverwrite(effect.path, effect.verb, context);
  }
}

/**
 * A name only known at run time (`$CMD -rf /`) could be any program. Its arguments are all
 * there is to go on: force or recursion flags, `/`, or verbs like `delete` make it
 * destructive; anything else is a write, as for an unknown program.
 */
function dynamicProgram(head: Arg, rest: Arg[]): Finding {
  return looksDestructive(rest)
    ? destructive(`the program ${head.value} is only known at run time and its arguments look destructive`)
    : { level: "write", reason: `the program ${head.value} is only known at run time` };
}

async function assessRedirect(redirect: Redirect, context: Context): Promise<Finding[]> {
  const { op } = redirect;
  const target = literalValue(redirect.target);
  const duplicatesFd = op === ">&" && /^(\d+|-)$/.test(target ?? "");
  if (!["&>", ">", ">|", ">>", "&>>", "<>", ">&"].includes(op) || duplicatesFd) return [];
  if (target === undefined) {
    return [{ level: "write", reason: `${op} writes to ${redirect.target.raw}, a file named at run time` }];
  }
  if (target.startsWith("/dev/")) {
    return blockDevice.test(target) ? [destructive(`${op} ${target} overwrites a disk device`)] : [];
  }
  if (op === ">>" || op === "&>>") return [{ level: "write", reason: `${op} appends to ${target}` }];
  if (op === "<>") return [{ level: "write", reason: `<> opens ${target} for writing` }];
  return resolveOverwrite(target, `${op} overwrites`, context);
}

/** Replacing an existing file loses its contents; creating one loses nothing. */
async function resolveOverwrite(path: string, verb: string, context: Context): Promise<Finding[]> {
  const tool = verb.split(" ")[0];
  if (!context.fileExists) {
    return [
      { level: "write", reason: `${tool} writes to ${path}, replacing it if it exists (no file probe)` },
    ];
  }
  // A probe that fails cannot vouch for the file being absent.
  const exists = await context.fileExists(path).catch(() => true);
  return exists
    ? [destructive(`${verb} an existing file (${path})`)]
    : [{ level: "write", reason: `${tool} creates ${path}` }];
}

function toArg(word: Word): Arg {
  const value = literalValue(word);
  return {
    value: value ?? word.raw,
    literal: value !== undefined,
    many: hasUnquotedGlob(word) || hasUnquotedExpansion(word),
  };
}

function destructive(reason: string): Finding {
  return { level: "destructive", reason };
}
