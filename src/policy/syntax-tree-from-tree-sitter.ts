import type { Node } from "web-tree-sitter";
import { readRedirect, redirectTypes, takeFdVariable } from "./redirect-from-tree-sitter.ts";
import type {
  AndOrList,
  Command,
  CompoundCommand,
  CompoundConstruct,
  Pipeline,
  Script,
  SimpleCommand,
  Word,
} from "./shell-syntax-tree.ts";
import { withNestedBashTree } from "./tree-sitter-bash.ts";
import { wordFromNode, wordFromNodes } from "./word-from-tree-sitter.ts";

/** Text tree-sitter-bash reads without an error but into the wrong shape; the caller fails safe. */
export class UnsupportedShellSyntax extends Error {
  override name = "UnsupportedShellSyntax";
}

const compoundConstructs: Record<string, CompoundConstruct> = {
  subshell: "subshell",
  compound_statement: "group",
  if_statement: "if",
  while_statement: "while",
  for_statement: "for",
  c_style_for_statement: "for",
  case_statement: "case",
  function_definition: "function",
  test_command: "test",
};
const statementTypes = new Set([
  ...Object.keys(compoundConstructs),
  "command",
  "declaration_command",
  "unset_command",
  "variable_assignment",
  "variable_assignments",
  "negated_command",
  "pipeline",
  "list",
  "redirected_statement",
]);
/** Parts of a compound statement that only group its statements and words. */
const clauseTypes = new Set(["do_group", "elif_clause", "else_clause", "case_item"]);

/**
 * Maps tree-sitter-bash's concrete syntax tree onto the risk walker's tree. The CST is close
 * to bash's grammar, with a few quirks handled here: words after a redirect are filed as
 * extra redirect destinations, the rest of a pipeline or `&&` chain after a here-document
 * sits inside the here-document redirect, and `time` is an ordinary command name.
 */
export function scriptFromTree(root: Node): Script {
  return readScript(root);
}

function readScript(node: Node): Script {
  const text = node.text;
  if (node.type === "command_substitution" && text.startsWith("`") && /\\[`$\\]/.test(text)) {
    return backtickScript(text.slice(1, -1));
  }
  return { lists: statementsOf(node).map(andOrOf) };
}

/**
 * Inside backticks bash removes the backslash from `` \` ``, `\$` and `\\` and parses the
 * result, so `` `echo \`rm x\`` `` runs `rm`; tree-sitter reads the escaped text as words.
 */
function backtickScript(body: string): Script {
  const unescaped = body.replace(/\\([`$\\])/g, "$1");
  return withNestedBashTree(unescaped, (root) => (root.hasError ? unsupported(root) : readScript(root)));
}

function statementsOf(node: Node): Node[] {
  return node.namedChildren.filter(
    (child): child is Node => child !== null && statementTypes.has(child.type),
  );
}

function andOrOf(node: Node): AndOrList {
  switch (node.type) {
    case "list":
      return { pipelines: statementsOf(node).flatMap((child) => andOrOf(child).pipelines) };
    case "pipeline":
      return { pipelines: [{ commands: statementsOf(node).flatMap(pipelineStages) }] };
    case "negated_command":
      return andOrOf(statementsOf(node)[0] ?? unsupported(node));
    case "redirected_statement":
      return redirectedStatement(node);
    default:
      return single(commandOf(node));
  }
}

/** A stage is one command, except where the CST nests a pipeline or a chain inside a stage. */
function pipelineStages(node: Node): Command[] {
  const list = andOrOf(node);
  const [only, ...more] = list.pipelines;
  return only && more.length === 0 ? only.commands : [group([{ lists: [list] }])];
}

function commandOf(node: Node): Command {
  const construct = compoundConstructs[node.type];
  if (construct) return compoundOf(node, construct);
  switch (node.type) {
    case "command":
      return withExtraScripts(simpleCommand(node, []));
    case "declaration_command":
    case "unset_command":
      // `export X=$(…)`: the keyword is the program, its assignments its arguments.
      return { kind: "simple", assignments: [], words: wordsOf(node.children), redirects: [] };
    case "variable_assignment":
      return { kind: "simple", assignments: [wordFromNode(node, readScript)], words: [], redirects: [] };
    case "variable_assignments":
      return { kind: "simple", assignments: namedWords(node), words: [], redirects: [] };
    case "negated_command":
    case "pipeline":
    case "list":
    case "redirected_statement":
      // A whole chain where one command stands (a redirected `a | b` body): walked as a group.
      return group([{ lists: [andOrOf(node)] }]);
    default:
      return unsupported(node);
  }
}

function simpleCommand(node: Node, outerRedirects: Node[]): { command: SimpleCommand; extra: Script[] } {
  const command: SimpleCommand = { kind: "simple", assignments: [], words: [], redirects: [] };
  const wordNodes: Node[] = [];
  const redirectNodes: Node[] = [];
  const extra: Script[] = [];
  node.children.forEach((child, index) => {
    if (!child || child.type === "comment") return;
    const field = node.fieldNameForChild(index);
    if (child.type === "variable_assignment") command.assignments.push(wordFromNode(child, readScript));
    else if (redirectTypes.has(child.type)) redirectNodes.push(child);
    // `time (…)`: tree-sitter has no `time` keyword, so the timed subshell is an "argument".
    else if (statementTypes.has(child.type)) extra.push({ lists: [andOrOf(child)] });
    else if (field === "name" || field === "argument" || child.isNamed) wordNodes.push(child);
  });
  const inSourceOrder = [...redirectNodes, ...outerRedirects].sort((a, b) => a.startIndex - b.startIndex);
  for (const redirectNode of inSourceOrder) {
    const fd = takeFdVariable(wordNodes, redirectNode);
    const { redirects, words } = readRedirect(redirectNode, fd, readScript);
    command.redirects.push(...redirects);
    wordNodes.push(...words);
  }
  wordNodes.sort((a, b) => a.startIndex - b.startIndex);
  command.words = wordsOf(wordNodes);
  // `coproc` is a keyword tree-sitter-bash does not know: `coproc NAME { …; }` comes out split in two.
  if (command.words[0]?.raw === "coproc") throw new UnsupportedShellSyntax("coproc");
  return { command, extra };
}

function redirectedStatement(node: Node): AndOrList {
  const body = node.childForFieldName("body");
  const redirectNodes = node
    .childrenForFieldName("redirect")
    .filter((child): child is Node => child !== null);
  let list: AndOrList;
  if (body?.type === "command") {
    list = single(withExtraScripts(simpleCommand(body, redirectNodes)));
  } else {
    // A redirect binds to the nearest command: in `a | b > f` that is `b`, the body's last stage.
    list = body ? andOrOf(body) : single({ kind: "simple", assignments: [], words: [], redirects: [] });
    const target = list.pipelines.at(-1)?.commands.at(-1) ?? unsupported(node);
    for (const redirectNode of redirectNodes) {
      const { redirects, words } = readRedirect(redirectNode, undefined, readScript);
      target.redirects.push(...redirects);
      target.words.push(...wordsOf(words));
    }
  }
  return redirectNodes.reduce((joined, redirectNode) => withContinuation(joined, redirectNode), list);
}

function withExtraScripts({ command, extra }: { command: SimpleCommand; extra: Script[] }): Command {
  return extra.length > 0 ? group([scriptOf(command), ...extra]) : command;
}

/**
 * After `cat <<EOF`, the CST keeps the rest of the line (`| bash`, `&& rm x`) inside the
 * here-document redirect; joined back on, `cat`'s output still reaches `bash`.
 */
function withContinuation(list: AndOrList, redirectNode: Node): AndOrList {
  if (redirectNode.type !== "heredoc_redirect") return list;
  let joined = list;
  for (const child of redirectNode.namedChildren) {
    if (child?.type !== "pipeline") continue;
    const inner = statementsOf(child);
    const rest = inner.length === 1 && inner[0] ? andOrOf(inner[0]) : andOrOf(child);
    joined = joinPipe(joined, rest);
  }
  const right = redirectNode.childForFieldName("right");
  if (right) joined = { pipelines: [...joined.pipelines, ...andOrOf(right).pipelines] };
  return joined;
}

function joinPipe(left: AndOrList, right: AndOrList): AndOrList {
  const last = left.pipelines.at(-1);
  const [first, ...rest] = right.pipelines;
  if (!last || !first) return { pipelines: [...left.pipelines, ...right.pipelines] };
  const piped: Pipeline = { commands: [...last.commands, ...first.commands] };
  return { pipelines: [...left.pipelines.slice(0, -1), piped, ...rest] };
}

/**
 * Every statement inside the construct is a body, walked as if it runs; everything else
 * (conditions of `[[ ]]`, `for` lists, `case` patterns, arithmetic) is a word that may hold
 * substitutions.
 */
function compoundOf(node: Node, construct: CompoundConstruct): CompoundCommand {
  const compound: CompoundCommand = { kind: "compound", construct, bodies: [], words: [], redirects: [] };
  const collect = (parent: Node) => {
    for (const child of parent.namedChildren) {
      if (!child || child.type === "comment") continue;
      if (redirectTypes.has(child.type)) {
        const { redirects, words } = readRedirect(child, undefined, readScript);
        compound.redirects.push(...redirects);
        compound.words.push(...wordsOf(words));
      } else if (statementTypes.has(child.type)) compound.bodies.push({ lists: [andOrOf(child)] });
      else if (clauseTypes.has(child.type)) collect(child);
      else compound.words.push(wordFromNode(child, readScript));
    }
  };
  collect(node);
  return compound;
}

/** Nodes that touch without a blank between them are one shell word. */
function wordsOf(nodes: (Node | null)[]): Word[] {
  const groups: Node[][] = [];
  for (const node of nodes) {
    if (!node || node.type === "comment") continue;
    const current = groups.at(-1);
    const previous = current?.at(-1);
    if (current && previous && previous.endIndex === node.startIndex) current.push(node);
    else groups.push([node]);
  }
  return groups.map((group) => wordFromNodes(group, readScript));
}

function namedWords(node: Node): Word[] {
  return node.namedChildren.flatMap((child) => (child ? [wordFromNode(child, readScript)] : []));
}

function single(command: Command): AndOrList {
  return { pipelines: [{ commands: [command] }] };
}

function scriptOf(command: Command): Script {
  return { lists: [single(command)] };
}

function group(bodies: Script[]): CompoundCommand {
  return { kind: "compound", construct: "group", bodies, words: [], redirects: [] };
}

function unsupported(node: Node): never {
  throw new UnsupportedShellSyntax(`unexpected ${node.type}`);
}
