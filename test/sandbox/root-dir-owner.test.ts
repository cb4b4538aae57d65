import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claimRootDir } from "../../src/sandbox/local/root-dir-owner.ts";

describe("the sandbox root's owner file", () => {
  let root = "";
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("refuses a second live worker on the same sandbox root and takes over from a dead one", async () => {
    root = await mkdtemp(path.join(tmpdir(), "threadhands-owner-"));
    const claimer = path.resolve(import.meta.dirname, "../../src/sandbox/local/root-dir-owner.ts");
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(claimer)}); await m.claimRootDir(${JSON.stringify(root)}); console.log("claimed"); setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    await expect(claimRootDir(root)).rejects.toMatchObject({ code: "sandbox_dir_in_use" });

    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const claim = await claimRootDir(root);
    expect(await readFile(path.join(root, ".provider", "owner.pid"), "utf8")).toBe(String(process.pid));
    await claim.release();
  });
});
