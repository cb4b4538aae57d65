import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe } from "vitest";
import { createLocalSandboxProvider } from "../../src/sandbox/local/local-sandbox-provider.ts";
import { describeSandboxContract } from "./sandbox-contract.ts";

const isRoot = process.getuid?.() === 0;
const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

// Every command of an allow-list sandbox starts behind the relay; it must change nothing else.
describe.skipIf(!isRoot)("with an allow-list", () => {
  describeSandboxContract("local isolated sandbox", async () => {
    const rootDir = await mkdtemp(path.join(tmpdir(), "th-egress-contract-"));
    roots.push(rootDir);
    return createLocalSandboxProvider({
      rootDir,
      isolation: "namespaces",
      network: { mode: "allowlist", allow: ["api.github.com"] },
      defaultTimeoutMs: 20_000,
      maxOutputBytes: 1024 * 1024,
    });
  });
});
