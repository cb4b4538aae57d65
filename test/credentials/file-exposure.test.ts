import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { withCredentialFiles } from "../../src/credentials/file-exposure.ts";
import { createLocalSandboxProvider } from "../../src/sandbox/local/local-sandbox-provider.ts";
import type { SandboxProvider } from "../../src/sandbox/sandbox.ts";
import { fileLeaks } from "../e2e/secret-scan.ts";

const token = '{"type":"service_account","private_key":"SENTINEL0file0token0value"}';

describe("a credential exposed as a file", () => {
  let root = "";
  let provider: SandboxProvider | undefined;
  async function startSandboxes(): Promise<void> {
    root = await mkdtemp(path.join(tmpdir(), "threadhands-file-cred-"));
    provider = await createLocalSandboxProvider({
      rootDir: root,
      isolation: "auto",
      network: { mode: "off" },
      defaultTimeoutMs: 10_000,
      maxOutputBytes: 64 * 1024,
    });
  }
  afterEach(async () => {
    await provider?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("exists, readable only by the command, for that one command and nowhere in the sandbox afterwards", async () => {
    await startSandboxes();
    const sandbox = await (provider as SandboxProvider).open("thread-1");
    const wrapped = withCredentialFiles(
      'stat -c %a "$GOOGLE_APPLICATION_CREDENTIALS"; head -c 20 "$GOOGLE_APPLICATION_CREDENTIALS"; echo; echo "$GOOGLE_APPLICATION_CREDENTIALS" > where.txt',
      [{ path: "/run/creds/key.json", content: token, mode: 0o400 }],
      { GOOGLE_APPLICATION_CREDENTIALS: "/run/creds/key.json" },
    );
    expect(wrapped.command).not.toContain("SENTINEL");
    const result = await sandbox.exec(wrapped.command, { env: wrapped.env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`400\n${token.slice(0, 20)}\n`);

    const where = new TextDecoder().decode(await sandbox.readFile("where.txt")).trim();
    expect(where).toMatch(/^\/dev\/shm\/threadhands\.\w+\/key\.json$/);
    expect((await sandbox.exec(`test -e '${where}'`)).exitCode).toBe(1);
    expect(await fileLeaks(root, "SENTINEL0file0token0value")).toEqual([]);
    const leftovers = (await readdir("/dev/shm").catch(() => [])).filter((name) =>
      name.startsWith("threadhands."),
    );
    expect(leftovers.filter((name) => where.includes(name))).toEqual([]);
  });

  it("keeps the command's exit status", async () => {
    await startSandboxes();
    const sandbox = await (provider as SandboxProvider).open("thread-2");
    const wrapped = withCredentialFiles(
      "exit 3",
      [{ path: "/x/cred", content: "secret-value-123", mode: 0o400 }],
      {},
    );
    expect((await sandbox.exec(wrapped.command, { env: wrapped.env })).exitCode).toBe(3);
  });
});
