import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox, SandboxProvider } from "../../src/sandbox/sandbox.ts";

/**
 * Every Sandbox backend must pass this suite. It talks to the sandbox only through the port, so
 * the same assertions hold for a local namespace sandbox, a portable one and a remote Sprite.
 */
export function describeSandboxContract(name: string, makeProvider: () => Promise<SandboxProvider>): void {
  describe(`${name} (sandbox contract)`, () => {
    let provider: SandboxProvider;
    let sandbox: Sandbox;
    let keyCounter = 0;
    const freshKey = () => `contract:${process.pid}:${Date.now()}:${keyCounter++}`;

    beforeAll(async () => {
      provider = await makeProvider();
      sandbox = await provider.open(freshKey());
    });
    afterAll(async () => {
      await sandbox?.destroy();
      await provider?.close();
    });

    it("reports exit codes, stdout and stderr as values", async () => {
      const result = await sandbox.exec("echo out; echo err >&2; exit 3");
      expect(result).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n", timedOut: false });
      expect(result.truncated).toBe(false);
    });

    it("runs in the workspace by default and honours a relative cwd", async () => {
      await sandbox.exec("mkdir -p sub/dir");
      const home = (await sandbox.exec("pwd")).stdout.trim();
      const sub = (await sandbox.exec("pwd", { cwd: "sub/dir" })).stdout.trim();
      expect(sub).toBe(`${home}/sub/dir`);
    });

    it("feeds stdin to the command", async () => {
      const result = await sandbox.exec("tr a-z A-Z", { stdin: "hello" });
      expect(result.stdout).toBe("HELLO");
    });

    it("gives a per-command variable to that command only and writes it nowhere", async () => {
      const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
      const first = await sandbox.exec('echo "$TOKEN"; sh -c \'echo "$TOKEN"\'', { env: { TOKEN: secret } });
      expect(first.stdout).toBe(`${secret}\n${secret}\n`);
      const second = await sandbox.exec('echo "[$TOKEN]"');
      expect(second.stdout).toBe("[]\n");
      const scan = await sandbox.exec(`grep -rIl -- "${secret}" "$HOME" "$PWD" /tmp 2>/dev/null; true`);
      expect(scan.stdout).toBe("");
    });

    it("kills the whole process tree at the timeout", async () => {
      const started = Date.now();
      const result = await sandbox.exec("(sleep 1; echo alive > orphan-marker) & sleep 30", {
        timeoutMs: 300,
      });
      expect(result.timedOut).toBe(true);
      expect(result.exitCode).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const check = await sandbox.exec("test -e orphan-marker && echo survived || echo gone");
      expect(check.stdout).toBe("gone\n");
    });

    it("caps output and says it was truncated", async () => {
      const result = await sandbox.exec("head -c 100000 /dev/zero | tr '\\0' a", { maxOutputBytes: 1000 });
      expect(result.exitCode).toBe(0);
      expect(result.stdout.length).toBe(1000);
      expect(result.truncated).toBe(true);
    });

    it("stops a command when its signal aborts", async () => {
      const controller = new AbortController();
      const running = sandbox.exec("sleep 30", { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await expect(running).rejects.toThrow();
    });

    it("writes and reads files, binary and nested, seen by commands", async () => {
      const bytes = new Uint8Array([0, 1, 2, 255, 10, 13, 0]);
      await sandbox.writeFile("files/deep/blob.bin", bytes);
      expect(await sandbox.readFile("files/deep/blob.bin")).toEqual(bytes);
      await sandbox.writeFile("files/text.txt", "héllo\n");
      expect((await sandbox.exec("cat files/text.txt")).stdout).toBe("héllo\n");
      await sandbox.exec("printf made-by-command > files/cmd.txt");
      expect(new TextDecoder().decode(await sandbox.readFile("files/cmd.txt"))).toBe("made-by-command");
      const absolute = `${(await sandbox.exec("pwd")).stdout.trim()}/files/cmd.txt`;
      expect(new TextDecoder().decode(await sandbox.readFile(absolute))).toBe("made-by-command");
    });

    it("fails to read a file that does not exist", async () => {
      await expect(sandbox.readFile("no/such/file")).rejects.toThrow();
    });

    it("checkpoints and restores a tree with a git repository byte for byte", async () => {
      await sandbox.exec(BUILD_TREE);
      const before = await treeFingerprint(sandbox);
      expect(before).toContain(".git/HEAD");
      const checkpoint = await sandbox.checkpoint("before rm -rf");
      expect(checkpoint.label).toBe("before rm -rf");

      const wreck = await sandbox.exec(
        "cd tree && rm -rf ./* .git && echo new > added && cd .. && rm -rf empty-top",
      );
      expect(wreck.exitCode).toBe(0);
      expect(await treeFingerprint(sandbox)).not.toBe(before);

      await sandbox.restore(checkpoint.id);
      expect(await treeFingerprint(sandbox)).toBe(before);
      const git = await sandbox.exec("cd tree && git status --porcelain && git log --format=%s");
      expect(git.stdout).toBe("first commit\n");

      // A second restore of the same checkpoint after more damage works too.
      await sandbox.exec("rm -rf tree");
      await sandbox.restore(checkpoint.id);
      expect(await treeFingerprint(sandbox)).toBe(before);
    });

    it("lists checkpoints with their labels, oldest first", async () => {
      const a = await sandbox.checkpoint("one");
      const b = await sandbox.checkpoint("two");
      const listed = await sandbox.listCheckpoints();
      const ids = listed.map((checkpoint) => checkpoint.id);
      expect(ids.indexOf(a.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(b.id)).toBeGreaterThan(ids.indexOf(a.id));
      expect(listed.find((checkpoint) => checkpoint.id === b.id)?.label).toBe("two");
    });

    it("stops a running command before restoring", async () => {
      const checkpoint = await sandbox.checkpoint("before long command");
      const running = sandbox.exec("echo started > long-marker; sleep 30");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      await sandbox.restore(checkpoint.id);
      const result = await running;
      expect(result.exitCode).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await sandbox.exec("test -e long-marker && echo kept || echo gone")).stdout).toBe("gone\n");
    });

    it("refuses to restore a checkpoint it does not have", async () => {
      await expect(sandbox.restore("cp-does-not-exist")).rejects.toThrow();
    });

    it("gives concurrent opens of one key one sandbox, and other keys their own", async () => {
      const key = freshKey();
      const [a, b] = await Promise.all([provider.open(key), provider.open(key)]);
      expect(a.id).toBe(b.id);
      expect((await provider.find(key))?.id).toBe(a.id);
      await a.exec("echo mine > only-here");
      const other = await provider.open(freshKey());
      expect(other.id).not.toBe(a.id);
      expect((await other.exec("test -e only-here && echo shared || echo separate")).stdout).toBe(
        "separate\n",
      );
      await other.destroy();
      await a.destroy();
    });

    it("finds nothing for a key never opened", async () => {
      expect(await provider.find(freshKey())).toBeUndefined();
    });

    it("gives each key a stable name of its own", () => {
      const key = freshKey();
      const other = freshKey();
      expect(provider.nameFor(key)).toBe(provider.nameFor(key));
      expect(provider.nameFor(key).length).toBeGreaterThan(0);
      expect(provider.nameFor(other)).not.toBe(provider.nameFor(key));
    });

    it("describes a key as absent before its first open and present after", async () => {
      const key = freshKey();
      expect(await provider.describe(key)).toEqual({ name: provider.nameFor(key), state: "absent" });
      const opened = await provider.open(key);
      const described = await provider.describe(key);
      expect(described.name).toBe(provider.nameFor(key));
      expect(["cold", "warm", "running"]).toContain(described.state);
      await opened.destroy();
      expect((await provider.describe(key)).state).toBe("absent");
    });

    it("lists an opened sandbox among its own and destroys it by name, once", async () => {
      const key = freshKey();
      const opened = await provider.open(key);
      await opened.exec("echo here > marker");
      const name = provider.nameFor(key);
      expect(await provider.ownedNames()).toContain(name);
      expect(await provider.ownedNames()).not.toContain(provider.nameFor(freshKey()));

      expect(await provider.destroyByName(name)).toBe(true);
      expect(await provider.find(key)).toBeUndefined();
      expect(await provider.ownedNames()).not.toContain(name);
      expect((await provider.describe(key)).state).toBe("absent");
      expect(await provider.destroyByName(name)).toBe(false);
      // The next open of the key starts over rather than handing back the destroyed one.
      const again = await provider.open(key);
      expect((await again.exec("test -e marker && echo old || echo fresh")).stdout).toBe("fresh\n");
      await again.destroy();
    });

    it("destroys a sandbox so the next open of its key starts empty", async () => {
      const key = freshKey();
      const first = await provider.open(key);
      await first.exec("echo old > leftover");
      await first.destroy();
      await expect(first.exec("true")).rejects.toThrow();
      expect(await provider.find(key)).toBeUndefined();
      const second = await provider.open(key);
      expect((await second.exec("test -e leftover && echo old || echo fresh")).stdout).toBe("fresh\n");
      await second.destroy();
    });
  });
}

/** Files, modes, a symlink, a dangling symlink, hard links, empty dirs and a committed git repo. */
const BUILD_TREE = `set -e
mkdir -p tree/src/nested tree/empty/inner empty-top
cd tree
printf 'hello\\n' > src/a.txt
head -c 5000 /dev/urandom > src/nested/random.bin
printf '#!/bin/sh\\necho run\\n' > run.sh && chmod 750 run.sh
printf 'private' > secret && chmod 600 secret
ln -s src/a.txt link-to-a
ln -s does-not-exist dangling
ln src/a.txt hard-a
git init -q . && git config user.email t@example.com && git config user.name t
git add -A && git commit -qm "first commit"
`;

/** Paths, types, modes, link targets, link counts, hard-link groups and content hashes. */
async function treeFingerprint(sandbox: Sandbox): Promise<string> {
  const result = await sandbox.exec(
    `set -e
find tree empty-top -printf '%p %y %m %n %l\\n' | LC_ALL=C sort
find tree -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
echo hard-links: $(stat -c %i tree/src/a.txt tree/hard-a | uniq | wc -l)`,
  );
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}
