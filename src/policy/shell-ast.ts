import {
  type Command,
  nestedScripts,
  type Redirect,
  renderWord,
  type Script,
  type Word,
} from "./shell-syntax-tree.ts";

/** One thing in a script that can carry risk, found anywhere in the tree. */
export type Site =
  | { kind: "command"; words: Word[]; stdin: string | undefined }
  | { kind: "redirect"; redirect: Redirect }
  | { kind: "assignment"; word: Word };

/**
 * Flattens a script into every command, redirect and assignment that may run: both sides
 * of `&&`/`||`, every pipeline stage, subshells and groups, every branch of `if`/`case`,
 * loop bodies, function bodies (as if called), and scripts nested in words (`$(…)`,
 * backticks, `<(…)`, `${x:-$(…)}`, unquoted here-documents). Taking the maximum over all of
 * them over-approximates what one run does, which is the safe side for a checkpoint.
 */
export function collectSites(script: Script): Site[] {
  const sites: Site[] = [];
  walkScript(script, sites);
  return sites;
}

function walkScript(script: Script, sites: Site[]): void {
  for (const list of script.lists) {
    for (const pipeline of list.pipelines) {
      let previousOutput: string | undefined;
      for (const command of pipeline.commands) {
        walkCommand(command, previousOutput, sites);
        previousOutput = staticOutput(command);
      }
    }
  }
}

function walkCommand(command: Command, pipedInput: string | undefined, sites: Site[]): void {
  for (const redirect of command.redirects) {
    sites.push({ kind: "redirect", redirect });
    walkWords([redirect.target, ...(redirect.heredoc ? [redirect.heredoc] : [])], sites);
  }
  if (command.kind === "compound") {
    walkWords(command.words, sites);
    for (const body of command.bodies) walkScript(body, sites);
    return;
  }
  for (const word of command.assignments) sites.push({ kind: "assignment", word });
  walkWords([...command.assignments, ...command.words], sites);
  if (command.words.length > 0) {
    sites.push({
      kind: "command",
      words: command.words,
      stdin: redirectedInput(command.redirects) ?? pipedInput,
    });
  }
}

function walkWords(words: Word[], sites: Site[]): void {
  for (const word of words) {
    for (const nested of nestedScripts(word)) walkScript(nested, sites);
  }
}

/** Standard input a command reads from its own here-document or here-string. */
function redirectedInput(redirects: Redirect[]): string | undefined {
  for (const redirect of redirects) {
    if (redirect.fd !== undefined && redirect.fd !== "0") continue;
    if (redirect.heredoc) return renderWord(redirect.heredoc);
    if (redirect.op === "<<<") return `${renderWord(redirect.target)}\n`;
  }
  return undefined;
}

/**
 * What a pipeline stage prints when it is known without running it (`echo`, `printf`,
 * `cat <<EOF`), so `echo 'DROP TABLE x' | mysql` is judged by the SQL it sends.
 */
function staticOutput(command: Command): string | undefined {
  if (command.kind !== "simple") return undefined;
  const [program, ...args] = command.words.map(renderWord);
  if (program === "echo") return `${args.filter((arg) => !/^-[neE]+$/.test(arg)).join(" ")}\n`;
  if (program === "printf") return args.join(" ");
  if (program === "cat" && args.length === 0) return redirectedInput(command.redirects);
  return undefined;
}
