import { describe, expect, it } from "vitest";
import { collectSites, type Site } from "../../src/policy/shell-ast.ts";
import { parseShell } from "../../src/policy/shell-parser.ts";
import { literalValue } from "../../src/policy/shell-syntax-tree.ts";
import { checkShellSyntax } from "../../src/policy/syntax-check.ts";

/** Each command site as the words a rule would see, quotes removed. */
function commandsOf(source: string): string[][] {
  return collectSites(parseShell(source))
    .filter((site): site is Extract<Site, { kind: "command" }> => site.kind === "command")
    .map((site) => site.words.map((word) => literalValue(word) ?? word.raw));
}

describe("parseShell and collectSites", () => {
  it("splits lists, and-or chains and pipelines into their commands", () => {
    expect(commandsOf("a 1 && b | c; d || e & f")).toEqual([["a", "1"], ["b"], ["c"], ["d"], ["e"], ["f"]]);
  });

  it("removes quotes and escapes from literal words", () => {
    expect(commandsOf(`echo 'a b' "c d" e\\ f $'g\\th'`)).toEqual([["echo", "a b", "c d", "e f", "g\th"]]);
  });

  it("keeps expansions as run-time values, not literals", () => {
    expect(commandsOf('$CMD -rf "$DIR"')).toEqual([["$CMD", "-rf", '"$DIR"']]);
  });

  it("finds commands nested in substitutions of every kind", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template
    const nested = commandsOf('echo $(a) `b` <(c) "${x:-$(d)}" $((1 + $(e)))').map(([program]) => program);
    expect(nested.sort()).toEqual(["a", "b", "c", "d", "e", "echo"]);
  });

  it("walks every branch of if, case, loops and function bodies", () => {
    const source =
      "if a; then b; elif c; then d; else e; fi; case $x in y) f;; *) g;; esac; while h; do i; done; j() { k; }";
    const programs = commandsOf(source).map(([program]) => program);
    expect(programs).toEqual(["a", "b", "c", "d", "e", "f", "g", "h", "i", "k"]);
  });

  it("reads here-document bodies, with and without expansion", () => {
    const quoted = collectSites(parseShell("psql <<'EOF'\nDROP $(x);\nEOF\necho done"));
    expect(quoted.find((site) => site.kind === "command")).toMatchObject({ stdin: "DROP $(x);\n" });
    expect(commandsOf("cat <<EOF\n$(x)\nEOF").map(([program]) => program)).toEqual(["x", "cat"]);
    expect(commandsOf("cat <<-EOF\n\tbody\n\tEOF\nls")).toEqual([["cat"], ["ls"]]);
  });

  it("passes what echo prints to the next pipeline stage as its input", () => {
    const sites = collectSites(parseShell("echo 'DROP TABLE x' | mysql"));
    expect(sites.at(-1)).toMatchObject({ kind: "command", stdin: "DROP TABLE x\n" });
  });

  it("records redirects with their operator and fd", () => {
    const redirects = collectSites(parseShell("a > out 2>&1 >> log &> all < in"))
      .filter((site) => site.kind === "redirect")
      .map((site) => (site.kind === "redirect" ? `${site.redirect.fd ?? ""}${site.redirect.op}` : ""));
    expect(redirects).toEqual([">", "2>&", ">>", "&>", "<"]);
  });

  it("treats reserved words as arguments outside command position", () => {
    expect(commandsOf("echo if then fi done")).toEqual([["echo", "if", "then", "fi", "done"]]);
  });

  it("ignores comments", () => {
    expect(commandsOf("echo x # rm -rf /")).toEqual([["echo", "x"]]);
  });
});

describe("checkShellSyntax", () => {
  it("accepts valid bash and rejects broken syntax with mvdan/sh's message", async () => {
    expect(await checkShellSyntax("if true; then echo ok; fi")).toEqual({ ok: true });
    const broken = await checkShellSyntax("echo 'open");
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.message).toContain("quote");
  });
});
