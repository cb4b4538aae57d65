import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLocalSandboxProvider } from "../../src/sandbox/local/local-sandbox-provider.ts";
import type { SandboxProvider } from "../../src/sandbox/sandbox.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function makeProvider(seed?: Parameters<typeof createLocalSandboxProvider>[0]["seed"]) {
  const rootDir = await mkdtemp(path.join(tmpdir(), "th-portable-x-"));
  const provider: SandboxProvider = await createLocalSandboxProvider({
    rootDir,
    isolation: "portable",
    network: { mode: "off" },
    defaultTimeoutMs: 10_000,
    maxOutputBytes: 64 * 1024,
    seed,
  });
  cleanups.push(async () => {
    await provider.close();
    await rm(rootDir, { recursive: true, force: true });
  });
  return { provider, rootDir };
}

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(needle)) hits.push(file);
  }
  return hits;
}

describe("the portable local sandbox", () => {
  it("says it is not isolated", async () => {
    const { provider } = await makeProvider();
    expect(provider.description).toMatch(/portable/);
  });

  it("refuses file paths that climb or link out of the sandbox", async () => {
    const { provider } = await makeProvider();
    const outside = await mkdtemp(path.join(tmpdir(), "th-outside-"));
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    await writeFile(path.join(outside, "secret"), "host secret");
    const sandbox = await provider.open("paths");
    await expect(sandbox.readFile("../../../../../../etc/passwd")).rejects.toThrow(/outside the sandbox/);
    await sandbox.exec(`ln -s ${outside} escape && ln -s ${outside}/new dangling`);
    await expect(sandbox.readFile("escape/secret")).rejects.toThrow(/outside the sandbox/);
    await expect(sandbox.writeFile("escape/planted", "x")).rejects.toThrow(/outside the sandbox/);
    await expect(sandbox.writeFile("dangling", "x")).rejects.toThrow(/outside the sandbox/);
    await expect(sandbox.exec("pwd", { cwd: "/" })).rejects.toThrow(/outside the sandbox/);
    await expect(stat(path.join(outside, "planted"))).rejects.toThrow();
    await expect(stat(path.join(outside, "new"))).rejects.toThrow();
  });

  it("writes a per-command variable into no file of the sandbox tree", async () => {
    const { provider, rootDir } = await makeProvider();
    const sandbox = await provider.open("env");
    const secret = `tok-${Math.random().toString(36).slice(2)}`;
    await sandbox.exec('echo "$T" | wc -c > count; env > /dev/null', { env: { T: secret } });
    await sandbox.checkpoint("after");
    expect(await filesContaining(rootDir, secret)).toEqual([]);
  });

  it("seeds copied sources and runs setup once for concurrent opens", async () => {
    const source = await mkdtemp(path.join(tmpdir(), "th-seed-"));
    cleanups.push(() => rm(source, { recursive: true, force: true }));
    await mkdir(path.join(source, "docs"));
    await writeFile(path.join(source, "docs", "runbook.md"), "# runbook\n");
    const { provider } = await makeProvider({
      sources: [{ from: source, to: "repo", mode: "copy" }],
      setup: ["echo setup >> setup-count", "test -f repo/docs/runbook.md"],
    });
    const [a, b] = await Promise.all([provider.open("seeded"), provider.open("seeded")]);
    expect(a).toBe(b);
    expect((await a.exec("cat setup-count repo/docs/runbook.md")).stdout).toBe("setup\n# runbook\n");
  });

  it("keeps a sandbox across a provider restart", async () => {
    const { provider, rootDir } = await makeProvider();
    await (await provider.open("persistent")).exec("echo kept > state");
    await provider.close();
    const again = await createLocalSandboxProvider({
      rootDir,
      isolation: "portable",
      network: { mode: "off" },
      defaultTimeoutMs: 10_000,
      maxOutputBytes: 1024,
    });
    const found = await again.find("persistent");
    expect((await found?.exec("cat state"))?.stdout).toBe("kept\n");
    await again.close();
  });
});
