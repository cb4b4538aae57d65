import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { createLocalSandboxProvider } from "../../src/sandbox/local/local-sandbox-provider.ts";
import { describeSandboxContract } from "./sandbox-contract.ts";

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describeSandboxContract("local isolated sandbox", async () => {
  const rootDir = await mkdtemp(path.join(tmpdir(), "th-isolated-"));
  roots.push(rootDir);
  return createLocalSandboxProvider({
    rootDir,
    isolation: "namespaces",
    network: { mode: "off" },
    defaultTimeoutMs: 20_000,
    maxOutputBytes: 1024 * 1024,
  });
});
