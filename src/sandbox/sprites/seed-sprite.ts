import { randomUUID } from "node:crypto";
import { posix } from "node:path";
import { AppError } from "../../errors.ts";
import { packSeedArchive, type SpritesSeedSource, unpackScript } from "./seed-archive.ts";
import type { SpritesApi } from "./sprites-api.ts";
import type { SpritesSandbox } from "./sprites-sandbox.ts";

/** A seed archive of a big tree may take a while to travel and unpack. */
const SEED_TIMEOUT_MS = 10 * 60_000;

/**
 * What the creator of a new Sprite does before anyone else uses it: the source trees (one
 * upload, one unpack), then the setup commands, which may rely on the trees being there.
 */
export async function seedSprite(
  sandbox: SpritesSandbox,
  api: SpritesApi,
  seed: { sources: readonly SpritesSeedSource[]; setup: readonly string[] },
  signal: AbortSignal | undefined,
): Promise<void> {
  if (seed.sources.length > 0) {
    const archive = await packSeedArchive(seed.sources, signal);
    const workspace = await sandbox.workspace({ signal });
    const name = `.threadhands-seed-${randomUUID()}.tar`;
    await api.writeFile(sandbox.id, posix.join(workspace, name), workspace, archive, signal, SEED_TIMEOUT_MS);
    const result = await sandbox.exec(unpackScript(name, seed.sources), {
      signal,
      timeoutMs: SEED_TIMEOUT_MS,
    });
    if (result.exitCode !== 0) {
      throw new AppError(
        "sandbox_seed_failed",
        `unpacking the seed sources failed with exit ${result.exitCode ?? result.signal}\n${result.stderr.slice(-2000)}`,
      );
    }
  }
  for (const command of seed.setup) {
    const result = await sandbox.exec(command, { signal });
    if (result.exitCode !== 0) {
      throw new AppError(
        "sandbox_setup_failed",
        `setup command failed with exit ${result.exitCode ?? result.signal}: ${command}\n${result.stderr.slice(-2000)}`,
      );
    }
  }
}
