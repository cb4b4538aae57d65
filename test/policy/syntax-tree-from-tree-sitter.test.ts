import { describe, expect, it } from "vitest";
import { collectSites, type Site } from "../../src/policy/shell-ast.ts";
import { literalValue, type Redirect } from "../../src/policy/shell-syntax-tree.ts";
import { scriptFromTree, UnsupportedShellSyntax } from "../../src/policy/syntax-tree-from-tree-sitter.ts";
import { withBashTree } from "../../src/policy/tree-sitter-bash.ts";

function sitesOf(source: string): Promise<Site[]> {
  return withBashTree(source, (root) => collectSites(scriptFromTree(root)));
}

/** Each command site as the words a rule would see, quotes removed. */
async function commandsOf(source: string): Promise<string[][]> {
  return (await sitesOf(source))
    .filter((site): site is Extract<Site, { kind: "command" }> => site.kind === "command")
    .map((site) => site.words.map((word) => literalValue(word) ?? word.raw));
}

async function redirectsOf(source: string): Promise<Redirect[]> {
  return (await sitesOf(source)).flatMap((site) => (site.kind === "redirect" ? [site.redirect] : []));
}

describe("scriptFromTree and collectSites", () => {
  it("splits lists, and-or chains and pipelines into their commands", async () => {
    expect(await commandsOf("a 1 && b | c; d || e & f")).toEqual([
      ["a", "1"],
      ["b"],
      ["c"],
      ["d"],
      ["e"],
      ["f"],
    ]);
  });

  it("removes quotes and escapes from literal words", async () => {
    expect(await commandsOf(`echo 'a b' "c d" e\\ f $'g\\th' "x\\"y\\$z\\q" $'\\x41'`)).toEqual([
      ["echo", "a b", "c d", "e f", "g\th", 'x"y$z\\q', "A"],
    ]);
  });

  it("keeps expansions as run-time values, not literals", async () => {
    expect(await commandsOf('$CMD -rf "$DIR"')).toEqual([["$CMD", "-rf", '"$DIR"']]);
  });

  it("joins nodes that touch into one word, as bash does", async () => {
    expect(await commandsOf(`"rm"x 'a'"b"c $"msg"`)).toEqual([["rmx", "abc", "msg"]]);
  });

  it("finds commands nested in substitutions of every kind", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template
    const nested = (await commandsOf('echo $(a) `b` <(c) "${x:-$(d)}" $((1 + $(e))) >(f)')).map(([p]) => p);
    expect(nested.sort()).toEqual(["a", "b", "c", "d", "e", "echo", "f"]);
  });

  it("walks every branch of if, case, loops and function bodies", async () => {
    const source =
      "if a; then b; elif c; then d; else e; fi; case $x in y) f;; *) g;; esac; while h; do i; done; j() { k; }";
    const programs = (await commandsOf(source)).map(([program]) => program);
    expect(programs).toEqual(["a", "b", "c", "d", "e", "f", "g", "h", "i", "k"]);
  });

  it("finds substitutions in [[ ]], (( )), C-style for and array assignments", async () => {
    const source = "[[ -f $(a) ]]; (( $(b) )); for ((i=0; i<$(c); i++)); do d; done; x=(1 $(e))";
    const programs = (await commandsOf(source)).map(([program]) => program);
    expect(programs.sort()).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("reads here-document bodies, with and without expansion", async () => {
    const quoted = await sitesOf("psql <<'EOF'\nDROP $(x);\nEOF\necho done");
    expect(quoted.find((site) => site.kind === "command")).toMatchObject({ stdin: "DROP $(x);\n" });
    expect((await commandsOf("cat <<EOF\n$(x)\nEOF")).map(([program]) => program)).toEqual(["x", "cat"]);
    expect(await commandsOf("cat <<-EOF\n\tbody\n\tEOF\nls")).toEqual([["cat"], ["ls"]]);
    const stripped = await sitesOf("psql <<-EOF\n\tDROP t;\n\tEOF");
    expect(stripped.find((site) => site.kind === "command")).toMatchObject({ stdin: "DROP t;\n" });
  });

  it("joins the rest of the line after a here-document back onto its pipeline", async () => {
    const sites = await sitesOf("cat <<EOF | bash | tee log && ls\nrm x\nEOF");
    const commands = sites.filter((site) => site.kind === "command");
    expect(commands.map((site) => site.words[0]?.raw)).toEqual(["cat", "bash", "tee", "ls"]);
    expect(commands[1]).toMatchObject({ stdin: "rm x\n" });
  });

  it("passes what echo prints to the next pipeline stage as its input", async () => {
    const sites = await sitesOf("echo 'DROP TABLE x' | mysql");
    expect(sites.at(-1)).toMatchObject({ kind: "command", stdin: "DROP TABLE x\n" });
  });

  it("records redirects with their operator and fd", async () => {
    // tree-sitter-bash reads a here-string only before any other redirect.
    const redirects = await redirectsOf("a <<< s > out 2>&1 >> log &> all < in 3>&-");
    expect(redirects.map((redirect) => `${redirect.fd ?? ""}${redirect.op}`)).toEqual([
      "<<<",
      ">",
      "2>&",
      ">>",
      "&>",
      "<",
      "3>&",
    ]);
  });

  it("keeps words written after a redirect as the command's arguments", async () => {
    expect(await commandsOf("rm > /dev/null -rf / 2>&1 x")).toEqual([["rm", "-rf", "/", "x"]]);
    expect(await commandsOf("> out rm -rf x")).toEqual([["rm", "-rf", "x"]]);
  });

  it("reads {name}> as a redirect that stores its fd in name, not as an argument", async () => {
    expect(await commandsOf("exec {log}>app.log {in}<input")).toEqual([["exec"]]);
    const redirects = await redirectsOf("exec {log}>app.log");
    expect(redirects).toMatchObject([{ op: ">", fd: "{log}", target: { raw: "app.log" } }]);
  });

  it("treats the time keyword's subshell as part of the script", async () => {
    expect((await commandsOf("time (ls; rm x)")).map(([program]) => program)).toEqual(["time", "ls", "rm"]);
  });

  it("treats declaration keywords as programs whose assignments may hold substitutions", async () => {
    expect((await commandsOf("export A=$(x) B=1")).map(([program]) => program)).toEqual(["x", "export"]);
  });

  it("treats reserved words as arguments outside command position", async () => {
    expect(await commandsOf("echo if then fi done")).toEqual([["echo", "if", "then", "fi", "done"]]);
  });

  it("ignores comments", async () => {
    expect(await commandsOf("echo x # rm -rf /")).toEqual([["echo", "x"]]);
  });

  it("refuses coproc, which tree-sitter-bash reads into the wrong shape", async () => {
    await expect(sitesOf("coproc NAME { rm -rf x; }")).rejects.toThrow(UnsupportedShellSyntax);
  });
});

describe("withBashTree", () => {
  it("reports ERROR and MISSING nodes through hasError", async () => {
    const hasError = (source: string) => withBashTree(source, (root) => root.hasError);
    expect(await hasError("if true; then echo ok; fi")).toBe(false);
    expect(await hasError("echo 'open")).toBe(true);
    expect(await hasError("if true; then")).toBe(true);
  });
});
