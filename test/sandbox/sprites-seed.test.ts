import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import {
  createSpritesSandboxProvider,
  type SpritesSandboxOptions,
  type SpritesSandboxProvider,
} from "../../src/sandbox/sprites/sprites-sandbox-provider.ts";
import { type FakeSpritesServer, startFakeSprites } from "../fakes/sprites/fake-sprites-server.ts";

let fake: FakeSpritesServer;
let hostDir: string;
const providers: SpritesSandboxProvider[] = [];
let counter = 0;
const freshKey = () => `slack:T01/C02/seed.${Date.now()}.${counter++}`;

function provider(extra: Partial<SpritesSandboxOptions> = {}): SpritesSandboxProvider {
  const created = createSpritesSandboxProvider({
    token: fake.token,
    apiUrl: fake.url,
    defaultTimeoutMs: 20_000,
    maxOutputBytes: 1024 * 1024,
    ...extra,
  });
  providers.push(created);
  return created;
}

/** Paths, types, modes, link targets, link counts and content hashes under the current dir. */
const FINGERPRINT = `set -e
find . -printf '%p %y %m %n %l\\n' | LC_ALL=C sort
find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum`;

async function fingerprintIn(sandbox: Sandbox, dir: string): Promise<string> {
  const result = await sandbox.exec(FINGERPRINT, { cwd: dir });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

const hostFingerprint = (dir: string) =>
  execFileSync("bash", ["-c", FINGERPRINT], { cwd: dir, encoding: "utf8" });

const archiveUploads = (name: string) =>
  fake.requests.filter(
    (request) =>
      request.method === "PUT" &&
      request.url.startsWith(`/v1/sprites/${name}/fs/write`) &&
      request.url.includes("threadhands-seed"),
  );

/** Binary and text files, modes, links (relative, dangling, hard), empty dirs, a long path. */
async function buildTree(root: string): Promise<void> {
  await mkdir(path.join(root, "src", "nested"), { recursive: true });
  await mkdir(path.join(root, "empty", "inner"), { recursive: true });
  await mkdir(path.join(root, "private"), { mode: 0o700 });
  await writeFile(path.join(root, "src", "a.txt"), "hello\n");
  await writeFile(path.join(root, "src", "nested", "random.bin"), randomBytes(70_000));
  await writeFile(path.join(root, "run.sh"), "#!/bin/sh\necho run\n");
  await chmod(path.join(root, "run.sh"), 0o750);
  await writeFile(path.join(root, "private", "secret"), "private");
  await chmod(path.join(root, "private", "secret"), 0o600);
  await writeFile(path.join(root, "héllo wörld 'quoted'.md"), "ünïcode\n");
  await symlink("src/a.txt", path.join(root, "link-to-a"));
  await symlink("does-not-exist", path.join(root, "dangling"));
  await link(path.join(root, "src", "a.txt"), path.join(root, "hard-a"));
  const deep = path.join(root, "d".repeat(60), "e".repeat(60));
  await mkdir(deep, { recursive: true });
  await writeFile(path.join(deep, `${"f".repeat(90)}.txt`), "deep\n");
  await symlink(`../${"x".repeat(120)}`, path.join(deep, "long-link"));
}

beforeAll(async () => {
  fake = await startFakeSprites();
  hostDir = await mkdtemp(path.join(tmpdir(), "th-sprites-seed-"));
});
afterAll(async () => {
  for (const each of providers) await each.close();
  await fake.close();
  await rm(hostDir, { recursive: true, force: true });
});

describe("Sprites seeding from source trees", () => {
  it("unpacks every source from one uploaded archive byte for byte before the setup commands", async () => {
    const tree = path.join(hostDir, "tree");
    await buildTree(tree);
    const single = path.join(hostDir, "notes.md");
    await writeFile(single, "# notes\n");
    await chmod(single, 0o640);
    const sprites = provider({
      seedSources: [
        { from: tree, to: "repo", mode: "copy" },
        { from: single, to: "docs/deep/notes.md", mode: "copy" },
      ],
      setup: ["test -f repo/src/a.txt && test -f docs/deep/notes.md && echo saw-seed > setup-ran"],
    });
    const sandbox = await sprites.open(freshKey());

    const expected = hostFingerprint(tree);
    for (const line of [
      "./empty/inner d 755",
      "./run.sh f 750",
      "./private d 700",
      "./dangling l 777 1 does-not-exist",
    ])
      expect(expected).toContain(line);
    expect(expected).toContain("./hard-a f 644 2");
    expect(await fingerprintIn(sandbox, "repo")).toBe(expected);
    expect((await sandbox.exec("cat setup-ran; stat -c %a docs/deep/notes.md")).stdout).toBe(
      "saw-seed\n640\n",
    );
    expect(new TextDecoder().decode(await sandbox.readFile("docs/deep/notes.md"))).toBe("# notes\n");
    expect(archiveUploads(sandbox.id)).toHaveLength(1);
    // The archive is gone once unpacked.
    expect((await sandbox.exec("ls -A")).stdout).toBe("docs\nrepo\nsetup-ran\n");
    expect(fake.labelsOf(sandbox.id)).toContain("threadhands-ready");
  });

  it("makes a bind source read-only in the Sprite and leaves a copied one writable", async () => {
    const source = path.join(hostDir, "runbooks");
    await mkdir(path.join(source, "sub"), { recursive: true });
    await writeFile(path.join(source, "sub", "page.md"), "page\n");
    const sandbox = await provider({
      seedSources: [
        { from: source, to: "ro", mode: "bind" },
        { from: source, to: "rw", mode: "copy" },
      ],
    }).open(freshKey());

    // No write bit anywhere under the bind target: unprivileged users (a Sprite's) cannot write.
    const bits = await sandbox.exec("find ro -perm /222; stat -c %a ro ro/sub ro/sub/page.md");
    expect(bits.stdout).toBe("555\n555\n444\n");
    expect((await sandbox.exec("find rw -perm /200 | LC_ALL=C sort")).stdout).toBe(
      "rw\nrw/sub\nrw/sub/page.md\n",
    );
    expect((await sandbox.exec("cat ro/sub/page.md")).stdout).toBe("page\n");
  });

  it("seeds once when two workers race to create the Sprite, and the loser waits for it", async () => {
    const source = path.join(hostDir, "race");
    await mkdir(source, { recursive: true });
    await writeFile(path.join(source, "file.txt"), "raced\n");
    const seed = { seedSources: [{ from: source, to: "seeded", mode: "copy" as const }] };
    const key = freshKey();
    const [a, b] = await Promise.all([provider(seed).open(key), provider(seed).open(key)]);
    expect(a.id).toBe(b.id);
    expect((await b.exec("cat seeded/file.txt")).stdout).toBe("raced\n");
    expect(archiveUploads(a.id)).toHaveLength(1);
  });

  it("fails creation naming a missing source, and leaves no Sprite behind", async () => {
    const present = path.join(hostDir, "present");
    await mkdir(present, { recursive: true });
    await writeFile(path.join(present, "token.txt"), "do-not-print-me");
    const missing = path.join(hostDir, "no-such-tree");
    const sprites = provider({
      seedSources: [
        { from: present, to: "present", mode: "copy" },
        { from: missing, to: "gone", mode: "copy" },
      ],
    });
    const key = freshKey();
    const error = await sprites.open(key).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "sandbox_seed_source_missing" });
    expect((error as AppError).message).toContain(missing);
    expect((error as AppError).message).not.toContain("do-not-print-me");
    expect(fake.spriteNames()).not.toContain(sprites.nameFor(key));
  });

  it("refuses a seed target outside the workspace when the provider is made", () => {
    for (const to of ["../escape", "/", "a/../../b"]) {
      expect(() => provider({ seedSources: [{ from: hostDir, to, mode: "copy" }] })).toThrow(
        /inside the workspace/,
      );
    }
  });
});
