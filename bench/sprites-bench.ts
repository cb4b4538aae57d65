/**
 * `node bench/sprites-bench.ts [--iterations 5] [--api-url URL]` (token from SPRITES_TOKEN)
 * Latency of the Sprites provider through our client: against the fake Sprites API by default
 * (our own overhead plus a local portable sandbox), against a real endpoint with --api-url.
 * Prints one JSON object of medians in milliseconds beside the vendor's published figures.
 */
import { parseArgs } from "node:util";
import { createSpritesSandboxProvider } from "../src/sandbox/sprites/sprites-sandbox-provider.ts";
import { startFakeSprites } from "../test/fakes/sprites/fake-sprites-server.ts";

export interface SpritesBenchOptions {
  iterations: number;
  /** A real (or stand-in) API; unset starts the fake. */
  apiUrl?: string;
  token?: string;
}

export async function runSpritesBench(options: SpritesBenchOptions): Promise<Record<string, unknown>> {
  const fake = options.apiUrl ? undefined : await startFakeSprites();
  // The fake otherwise answers 503 for 200 ms after a restore, to exercise our wait.
  if (fake) fake.faults.restoreUnavailableMs = 0;
  const provider = createSpritesSandboxProvider({
    token: fake?.token ?? options.token ?? "",
    apiUrl: fake?.url ?? options.apiUrl,
    defaultTimeoutMs: 120_000,
    maxOutputBytes: 1024 * 1024,
  });
  const samples: Record<string, number[]> = {
    create: [],
    firstExec: [],
    exec: [],
    checkpoint: [],
    restore: [],
  };
  const time = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await step();
    samples[name]?.push(performance.now() - started);
    return value;
  };
  try {
    for (let round = 0; round < options.iterations; round++) {
      const sandbox = await time("create", () =>
        provider.open(`bench:${process.pid}:${Date.now()}:${round}`),
      );
      try {
        await time("firstExec", () => sandbox.exec("true"));
        for (let i = 0; i < 5; i++) await time("exec", () => sandbox.exec("true"));
        await sandbox.exec("mkdir -p data && head -c 1000000 /dev/urandom > data/blob");
        const checkpoint = await time("checkpoint", () => sandbox.checkpoint(`bench round ${round}`));
        await sandbox.exec("rm -rf data");
        await time("restore", () => sandbox.restore(checkpoint.id));
      } finally {
        await sandbox.destroy();
      }
    }
  } finally {
    await provider.close();
    await fake?.close();
  }
  const medians = Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [`${name}Ms`, median(values)]),
  );
  return {
    provider: "sprites",
    target: fake ? "fake Sprites API (node:http + ws, local portable sandbox behind it)" : options.apiUrl,
    iterations: options.iterations,
    medians,
    vendorPublished: {
      createMs: "1000-2000",
      checkpointMs: 300,
      restoreMs: 1000,
      source: "sprites.dev / fly.io announcement figures, for a real Sprite",
    },
    notes: [
      "against the fake, figures are our client's overhead plus a local cp -a checkpoint, not Sprite speed",
      "firstExec includes asking the Sprite for its working directory once",
      "restore includes waiting until the Sprite answers a command again",
    ],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return Math.round(value * 10) / 10;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { iterations: { type: "string", default: "5" }, "api-url": { type: "string" } },
  });
  const result = await runSpritesBench({
    iterations: Number(values.iterations),
    apiUrl: values["api-url"],
    token: process.env.SPRITES_TOKEN,
  });
  console.log(JSON.stringify(result, null, 2));
}
