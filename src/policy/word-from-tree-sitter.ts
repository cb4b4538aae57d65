import type { Node } from "web-tree-sitter";
import type { Script, Word, WordPart } from "./shell-syntax-tree.ts";

/** Reads the statements under a substitution; passed in so this file needs no import cycle. */
export type ScriptReader = (node: Node) => Script;

/**
 * How a span of source text is quoted, which decides what a backslash means: outside
 * quotes it quotes any character, inside `"…"` only `$`, `` ` ``, `"`, `\` and a newline,
 * and in an unquoted here-document body the same except `"`.
 */
type Quoting = "none" | "double" | "heredoc";

const ansiEscapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", e: "\x1b", a: "\x07", "0": "\0" };
const substitutionTypes = new Set(["command_substitution", "process_substitution"]);
const expansionTypes = new Set(["simple_expansion", "expansion", "arithmetic_expansion"]);

/**
 * One shell word from one or more CST nodes. tree-sitter-bash sometimes splits a word in
 * two (`$"…"` comes out as `$` and a string), so the caller passes every node that touches
 * the next without a blank: bash never has two words without one between them.
 */
export function wordFromNodes(nodes: Node[], readScript: ScriptReader): Word {
  const parts: WordPart[] = [];
  nodes.forEach((node, index) => {
    // `$"…"` is a locale-translated string; bash drops the `$` when no translation exists.
    const localeDollar = node.type === "$" && nodes[index + 1]?.type === "string";
    if (!localeDollar) pushParts(parts, partsOf(node, "none", readScript));
  });
  return { raw: nodes.map((node) => node.text).join(""), parts };
}

export function wordFromNode(node: Node, readScript: ScriptReader): Word {
  return wordFromNodes([node], readScript);
}

/**
 * A here-document body: literal when the delimiter is quoted, otherwise it expands like
 * `"…"`. For `<<-`, tree-sitter's body keeps the tabs of later lines and of the delimiter
 * line, which bash strips.
 */
export function heredocWord(
  body: Node,
  options: { expands: boolean; stripsTabs: boolean },
  readScript: ScriptReader,
): Word {
  const parts = options.expands
    ? partsOf(body, "heredoc", readScript)
    : [{ kind: "literal" as const, value: body.text, quoted: true }];
  if (options.stripsTabs) {
    for (const part of parts) if (part.kind === "literal") part.value = part.value.replace(/\n\t+/g, "\n");
  }
  return { raw: body.text, parts };
}

function partsOf(node: Node, quoting: Quoting, readScript: ScriptReader): WordPart[] {
  const quoted = quoting !== "none";
  if (substitutionTypes.has(node.type)) return [{ kind: "substitution", script: readScript(node), quoted }];
  if (expansionTypes.has(node.type)) {
    return [{ kind: "expansion", raw: node.text, scripts: scriptsWithin(node, readScript), quoted }];
  }
  switch (node.type) {
    case "raw_string":
      return [{ kind: "literal", value: node.text.slice(1, -1), quoted: true }];
    case "ansi_c_string":
      return [{ kind: "literal", value: decodeAnsiC(node.text.slice(2, -1)), quoted: true }];
    case "string":
      return spanParts(node, node.startIndex + 1, node.endIndex - 1, "double", readScript);
    default:
      return spanParts(node, node.startIndex, node.endIndex, quoting, readScript);
  }
}

/**
 * Text of `node` between `start` and `end`: named children become their own parts, and
 * the text between them (which tree-sitter leaves out of the tree, as in here-document
 * bodies, or keeps as anonymous tokens) becomes literal text, unescaped for its quoting.
 */
function spanParts(
  node: Node,
  start: number,
  end: number,
  quoting: Quoting,
  readScript: ScriptReader,
): WordPart[] {
  const text = node.text;
  const parts: WordPart[] = [];
  let position = start;
  const literal = (until: number) => {
    if (until > position)
      pushParts(
        parts,
        removeBackslashes(text.slice(position - node.startIndex, until - node.startIndex), quoting),
      );
  };
  for (const child of node.namedChildren) {
    if (!child || child.startIndex < start || child.endIndex > end) continue;
    literal(child.startIndex);
    pushParts(parts, partsOf(child, quoting, readScript));
    position = child.endIndex;
  }
  literal(end);
  return parts;
}

/** Substitutions anywhere inside an expansion (`${x:-$(cmd)}`, `$(( $(cmd) + 1 ))`) still run. */
function scriptsWithin(node: Node, readScript: ScriptReader): Script[] {
  return node.namedChildren.flatMap((child) => {
    if (!child) return [];
    return substitutionTypes.has(child.type) ? [readScript(child)] : scriptsWithin(child, readScript);
  });
}

/** Quote removal for backslashes; a character a backslash quotes is a quoted literal (`\*` is no glob). */
function removeBackslashes(text: string, quoting: Quoting): WordPart[] {
  const quoted = quoting !== "none";
  const special = quoting === "double" ? '$`"\\\n' : "$`\\\n";
  const parts: WordPart[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? "";
    const escaped = text[index + 1];
    if (char !== "\\" || escaped === undefined || (quoted && !special.includes(escaped))) {
      appendLiteral(parts, char, quoted);
      continue;
    }
    index += 1;
    if (escaped !== "\n") appendLiteral(parts, escaped, true);
  }
  return parts;
}

/** The body of `$'…'`, decoded the way bash does for the escapes that matter in commands. */
function decodeAnsiC(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|.)/gs, (_, sequence: string) =>
    sequence.length > 1
      ? String.fromCharCode(Number.parseInt(sequence.slice(1), 16))
      : (ansiEscapes[sequence] ?? sequence),
  );
}

/** Adjacent literal text with the same quoting is one part, so `"a"b` stays two and `ab` one. */
function pushParts(parts: WordPart[], more: WordPart[]): void {
  for (const part of more) {
    if (part.kind === "literal") appendLiteral(parts, part.value, part.quoted);
    else parts.push(part);
  }
}

function appendLiteral(parts: WordPart[], value: string, quoted: boolean): void {
  if (value === "") return;
  const last = parts.at(-1);
  if (last?.kind === "literal" && last.quoted === quoted) last.value += value;
  else parts.push({ kind: "literal", value, quoted });
}
