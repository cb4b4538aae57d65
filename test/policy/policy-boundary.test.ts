import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { classifyCommand } from "../../src/policy/classify-command.ts";

const policyDirectory = new URL("../../src/policy/", import.meta.url);

/** The only outside modules the policy ring may use: Node's module API and the bash parser. */
const allowedImports = new Set(["node:module", "web-tree-sitter", "tree-sitter-bash"]);

/** `tree-sitter-bash/tree-sitter-bash.wasm` belongs to the package `tree-sitter-bash`. */
function packageOf(specifier: string): string {
  const segments = specifier.split("/");
  return (specifier.startsWith("@") ? segments.slice(0, 2) : segments.slice(0, 1)).join("/");
}

describe("the policy module", () => {
  it("imports nothing beyond its own files, tree-sitter and node:module", async () => {
    const files = (await readdir(policyDirectory)).filter((name) => name.endsWith(".ts"));
    const outside: string[] = [];
    for (const file of files) {
      const source = await readFile(new URL(file, policyDirectory), "utf8");
      // Static imports, dynamic imports and `require.resolve` of a package's file all count.
      for (const match of source.matchAll(/(?:from\s+|import\(|resolve\()"([^"]+)"/g)) {
        const specifier = match[1] ?? "";
        if (!specifier.startsWith("./") && !allowedImports.has(packageOf(specifier)))
          outside.push(`${file}: ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it("classifies a few hundred mixed commands without failing (a sanity run, not a timing test)", async () => {
    const commands = [
      "ls -la",
      "bash -c 'cd app && rm -rf build'",
      "kubectl -n prod delete pod x",
      "psql <<'EOF'\nTRUNCATE t;\nEOF",
      'for f in *.log; do gzip "$f"; done',
      "echo 'unterminated",
    ];
    const levels = new Set<string>();
    for (let round = 0; round < 50; round += 1) {
      for (const command of commands) levels.add((await classifyCommand(command)).level);
    }
    expect([...levels].sort()).toEqual(["destructive", "read", "write"]);
  });
});
