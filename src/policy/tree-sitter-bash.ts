import { createRequire } from "node:module";
import { Language, type Node, Parser } from "web-tree-sitter";

let parserPromise: Promise<Parser> | undefined;
/** Set once loading succeeds, so a conversion already under way can parse nested text. */
let loadedParser: Parser | undefined;

/** The runtime or the grammar failed to load: no fault of the command being parsed. */
export class ShellParserUnavailable extends Error {
  override name = "ShellParserUnavailable";
}

/**
 * Parses bash with tree-sitter-bash and hands the root of the concrete syntax tree to
 * `read`. The tree lives in WebAssembly memory that JavaScript's collector never frees, so
 * it is deleted as soon as `read` returns; nothing `read` returns may keep a node.
 */
export async function withBashTree<T>(source: string, read: (root: Node) => T): Promise<T> {
  return readTree(await loadParser(), source, read);
}

/**
 * The same, synchronously, for text found while reading an outer tree (a backtick body that
 * bash unescapes and parses again); only valid inside a `withBashTree` call.
 */
export function withNestedBashTree<T>(source: string, read: (root: Node) => T): T {
  if (!loadedParser) throw new ShellParserUnavailable("nested parse before the parser loaded");
  return readTree(loadedParser, source, read);
}

function readTree<T>(parser: Parser, source: string, read: (root: Node) => T): T {
  const tree = parser.parse(source);
  if (!tree) throw new Error("tree-sitter returned no tree");
  try {
    return read(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/**
 * Loads the runtime and the grammar once, on first use, so importing the policy costs
 * nothing. One parser serves every call: parsing is synchronous, so calls never interleave.
 */
function loadParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    try {
      await Parser.init();
      const wasmPath = createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm");
      const parser = new Parser();
      parser.setLanguage(await Language.load(wasmPath));
      loadedParser = parser;
      return parser;
    } catch (error) {
      throw new ShellParserUnavailable("tree-sitter-bash did not load", { cause: error });
    }
  })();
  // A failed load must not be cached forever: the next call tries again.
  parserPromise.catch(() => {
    parserPromise = undefined;
  });
  return parserPromise;
}
