import { resolve } from "node:path";
import type { Logger } from "pino";
import type { AppConfig } from "../../config/schema.ts";
import { createLocalSandboxProvider } from "../sandbox/local/local-sandbox-provider.ts";
import type { SandboxProvider } from "../sandbox/sandbox.ts";
import { createSpritesSandboxProvider } from "../sandbox/sprites/sprites-sandbox-provider.ts";

/** `SANDBOX_PROVIDER` picks the hands: a Sprite per thread, or a sandbox on this machine. */
export async function createSandboxProvider(config: AppConfig, logger: Logger): Promise<SandboxProvider> {
  if (config.SANDBOX_PROVIDER === "sprites") {
    return createSpritesSandboxProvider({
      token: config.SPRITES_TOKEN ?? "",
      apiUrl: config.SPRITES_API_URL,
      setup: config.sandbox.seed.setup,
      seedSources: config.sandbox.seed.sources,
      defaultTimeoutMs: config.agent.commandTimeoutSeconds * 1000,
      maxOutputBytes: config.agent.outputLimitBytes,
    });
  }
  return createLocalSandboxProvider({
    rootDir: resolve(config.THREADHANDS_DATA_DIR, "sandboxes"),
    isolation: config.sandbox.isolation,
    network:
      typeof config.sandbox.network === "string"
        ? { mode: config.sandbox.network }
        : { mode: "allowlist", allow: config.sandbox.network.allow },
    limits: config.sandbox.limits,
    seed: config.sandbox.seed,
    defaultTimeoutMs: config.agent.commandTimeoutSeconds * 1000,
    maxOutputBytes: config.agent.outputLimitBytes,
    logger,
  });
}
