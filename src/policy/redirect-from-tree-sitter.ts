import type { Node } from "web-tree-sitter";
import type { Redirect, Word } from "./shell-syntax-tree.ts";
import { heredocWord, type ScriptReader, wordFromNode } from "./word-from-tree-sitter.ts";

export const redirectTypes = new Set(["file_redirect", "heredoc_redirect", "herestring_redirect"]);

/** bash's `{name}>file` stores the new fd in `name`; tree-sitter reads `{name}` as an argument. */
const fdVariable = /^\{[A-Za-z_][A-Za-z0-9_]*\}$/;

export interface RedirectReading {
  /** Usually one; `cat <<EOF > out` nests the second redirect inside the here-document's. */
  redirects: Redirect[];
  /** Command words the CST files as extra redirect destinations (`rm > log -rf /`). */
  words: Node[];
}

/** One redirect node; `fdVariableName` is a `{name}` taken off the words right before it. */
export function readRedirect(
  node: Node,
  fdVariableName: string | undefined,
  readScript: ScriptReader,
): RedirectReading {
  const fd = node.childForFieldName("descriptor")?.text ?? fdVariableName;
  const op = node.children.find((child) => child !== null && !child.isNamed)?.type ?? "";
  const wordOf = (target: Node | null | undefined): Word =>
    target ? wordFromNode(target, readScript) : { raw: "", parts: [] };
  if (node.type === "herestring_redirect") {
    const target = node.namedChildren.find((child) => child !== null && child.type !== "file_descriptor");
    return { redirects: [{ op: "<<<", fd, target: wordOf(target), heredoc: undefined }], words: [] };
  }
  if (node.type === "heredoc_redirect") return readHeredoc(node, op, fd, readScript);
  const [target, ...words] = node.childrenForFieldName("destination").filter((child) => child !== null);
  // `>&-` and `<&-` close an fd, which the risk rules read as duplicating `-`.
  if (op.endsWith("&-")) {
    const dash: Word = { raw: "-", parts: [{ kind: "literal", value: "-", quoted: false }] };
    return { redirects: [{ op: op.slice(0, -1), fd, target: dash, heredoc: undefined }], words };
  }
  return { redirects: [{ op, fd, target: wordOf(target), heredoc: undefined }], words };
}

function readHeredoc(
  node: Node,
  op: string,
  fd: string | undefined,
  readScript: ScriptReader,
): RedirectReading {
  const start = node.children.find((child) => child?.type === "heredoc_start");
  const body = node.children.find((child) => child?.type === "heredoc_body");
  // Any quoting in the delimiter (`'EOF'`, `"EOF"`, `\EOF`) makes the body literal.
  const expands = !/['"\\]/.test(start?.text ?? "");
  const heredoc = body
    ? heredocWord(body, { expands, stripsTabs: op === "<<-" }, readScript)
    : { raw: "", parts: [] };
  const delimiter = start ? wordFromNode(start, readScript) : { raw: "", parts: [] };
  const nested = node
    .childrenForFieldName("redirect")
    .flatMap((child) => (child ? [readRedirect(child, undefined, readScript)] : []));
  return {
    redirects: [{ op, fd, target: delimiter, heredoc }, ...nested.flatMap((reading) => reading.redirects)],
    words: nested.flatMap((reading) => reading.words),
  };
}

/** Takes `{name}` off the command's word nodes when it sits right against the redirect. */
export function takeFdVariable(wordNodes: Node[], redirectNode: Node): string | undefined {
  const index = wordNodes.findIndex(
    (word) => word.endIndex === redirectNode.startIndex && fdVariable.test(word.text),
  );
  if (index < 0) return undefined;
  return wordNodes.splice(index, 1)[0]?.text;
}
