/**
 * `npm run bench:sandbox -- --json [--provider local] [--isolation auto|namespaces|portable]`
 * Prints one JSON object of medians in milliseconds, with baselines measured in the same run.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { createLocalSandboxProvider } from "../src/sandbox/local/local-sandbox-provider.ts";
import type { SandboxProvider } from "../src/sandbox/sandbox.ts";
import { generateTree } from "./sandbox-tree.ts";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    provider: { type: "string", default: "local" },
    isolation: { type: "string", default: "auto" },
    files: { type: "string", default: "20000" },
    mb: { type: "string", default: "200" },
    iterations: { type: "string", default: "5" },
  },
});

type ProviderFactory = (rootDir: string, seedFrom?: string) => Promise<SandboxProvider>;

const providers: Record<string, ProviderFactory> = {
  local: (rootDir, seedFrom) =>
    createLocalSandboxProvider({
      rootDir,
      isolation: values.isolation as "auto" | "namespaces" | "portable",
      network: { mode: "off" },
      seed: seedFrom ? { sources: [{ from: seedFrom, to: "tree", mode: "copy" }], setup: [] } : undefined,
      defaultTimeoutMs: 120_000,
      maxOutputBytes: 1024 * 1024,
    }),
};

const median = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return Math.round(value * 10) / 10;
};

async function time(step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await step();
  return performance.now() - started;
}

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("true", { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

const log = (message: string) => {
  if (!values.json) console.error(message);
};

async function main(): Promise<void> {
  if (values.provider === "sprites") {
    // Sprites are measured through our client against the fake API (or SPRITES_API_URL), beside
    // the vendor's published figures: a 200 MB tree copy says nothing about a remote VM.
    const { runSpritesBench } = await import("./sprites-bench.ts");
    const result = await runSpritesBench({
      iterations: Number(values.iterations),
      apiUrl: process.env.SPRITES_API_URL,
      token: process.env.SPRITES_TOKEN,
    });
    console.log(JSON.stringify(result));
    return;
  }
  const makeProvider = providers[values.provider];
  if (!makeProvider)
    throw new Error(`unknown provider ${values.provider}; known: ${Object.keys(providers).join(", ")}`);
  const iterations = Number(values.iterations);
  const work = await mkdtemp(path.join(tmpdir(), "th-bench-"));
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const treeDir = path.join(work, "tree");
    log(`generating ${values.files} files, ${values.mb} MB in ${treeDir}`);
    const tree = await generateTree(treeDir, Number(values.files), Number(values.mb));
    // Flush the generator's dirty pages so the cp -a baseline does not pay for them.
    await promisify(execFile)("sync");

    const spawnSamples: number[] = [];
    for (let index = 0; index < 50; index++) spawnSamples.push(await time(spawnTrue));

    const cpSamples: number[] = [];
    for (let index = 0; index < 3; index++) {
      const copy = path.join(work, `cp-${index}`);
      cpSamples.push(await time(() => promisify(execFile)("cp", ["-a", treeDir, copy])));
      await rm(copy, { recursive: true, force: true });
    }
    log(`cp -a: ${median(cpSamples)} ms`);

    const plain = await makeProvider(path.join(work, "plain"));
    cleanups.push(() => plain.close());
    const createSamples: number[] = [];
    for (let index = 0; index < 10; index++) {
      let sandbox: Awaited<ReturnType<SandboxProvider["open"]>> | undefined;
      createSamples.push(
        await time(async () => {
          sandbox = await plain.open(`bench-create-${index}`);
        }),
      );
      await sandbox?.destroy();
    }
    const execSandbox = await plain.open("bench-exec");
    await execSandbox.exec("true");
    const execSamples: number[] = [];
    for (let index = 0; index < 50; index++) execSamples.push(await time(() => execSandbox.exec("true")));
    await execSandbox.destroy();

    log("seeding a sandbox with the tree");
    const seeded = await makeProvider(path.join(work, "seeded"), treeDir);
    cleanups.push(() => seeded.close());
    const sandbox = await seeded.open("bench-tree");
    const checkpointSamples: number[] = [];
    const restoreSamples: number[] = [];
    for (let index = 0; index < iterations; index++) {
      // A real change before each checkpoint, so there is a layer to seal.
      const change = await sandbox.exec(
        `echo ${index} >> tree/repo/pkg0/f0.bin && touch tree/data/d1/new-${index}`,
      );
      if (change.exitCode !== 0) throw new Error(`change failed: ${change.stderr}`);
      let checkpointId = "";
      checkpointSamples.push(
        await time(async () => {
          checkpointId = (await sandbox.checkpoint(`bench ${index}`)).id;
        }),
      );
      const wreck = await sandbox.exec("rm -rf tree/repo tree/data/d2");
      if (wreck.exitCode !== 0) throw new Error(`rm failed: ${wreck.stderr}`);
      restoreSamples.push(await time(() => sandbox.restore(checkpointId)));
      const check = await sandbox.exec("git -C tree/repo status --porcelain | wc -l");
      if (check.exitCode !== 0) throw new Error(`restore check failed: ${check.stderr}`);
    }
    await sandbox.destroy();

    const result = {
      provider: values.provider,
      backend: plain.description,
      isolation: plain.description.includes("isolated") ? "namespaces" : "portable",
      tree_files: tree.files,
      tree_mb: Math.round(tree.bytes / 1024 / 1024),
      create_ms: median(createSamples),
      exec_p50_ms: median(execSamples),
      checkpoint_ms: median(checkpointSamples),
      restore_ms: median(restoreSamples),
      cp_a_ms: median(cpSamples),
      spawn_p50_ms: median(spawnSamples),
      checkpoint_fraction_of_cp_a: Math.round((median(checkpointSamples) / median(cpSamples)) * 1000) / 1000,
      iterations,
    };
    console.log(values.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}

await main();
