import { z } from "zod";
import { credentialsSettingsSchema } from "../src/credentials/provider-config.ts";
import { riskLevels } from "../src/policy/risk.ts";

/**
 * Every setting in one place. Secrets come from the environment only; behaviour from the YAML
 * file named by THREADHANDS_CONFIG. Defaults serve a developer's laptop.
 */

const optionalUrl = z.url().optional();

const platformVariables = {
  SLACK_BOT_TOKEN: z.string().startsWith("xoxb-", "must be a bot token starting with xoxb-").optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .startsWith("xapp-", "must be an app-level token starting with xapp-")
    .optional(),
  SLACK_API_URL: optionalUrl,
  DISCORD_TOKEN: z.string().min(1).optional(),
  /** The REST base without the version, e.g. http://127.0.0.1:9002/api for a stand-in. */
  DISCORD_API_URL: optionalUrl,
  DISCORD_APPLICATION_ID: z
    .string()
    .regex(/^\d{17,20}$/, "must be a snowflake (17 to 20 digits)")
    .optional(),
};

export const environmentSchema = z
  .object({
    ...platformVariables,
    OPENAI_API_KEY: z.string().min(1),
    OPENAI_BASE_URL: optionalUrl,
    OPENAI_MODEL: z.string().min(1).default("gpt-4.1"),
    REDIS_URL: z.url().optional(),
    SANDBOX_PROVIDER: z.enum(["local", "sprites"]).default("local"),
    SPRITES_TOKEN: z.string().min(1).optional(),
    SPRITES_API_URL: z.url().default("https://api.sprites.dev"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    THREADHANDS_CONFIG: z.string().optional(),
    THREADHANDS_DATA_DIR: z.string().default(".threadhands"),
    THREADHANDS_ROLE: z.enum(["all", "ingress", "worker"]).default("all"),
    /** Names this worker host; local sandboxes belong to one host. Defaults to the hostname. */
    THREADHANDS_HOST_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, "must be letters, digits, dots, dashes or underscores")
      .optional(),
    /** Where users' browsers reach this app: OAuth callbacks are <base>/oauth/<provider>/callback. */
    PUBLIC_BASE_URL: z.url().optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  // A deployment runs Slack, Discord or both. `when` makes this run even when other variables
  // failed, so every problem is reported at once; a bad but present value counts as set.
  .check(z.superRefine(requireOnePlatform, { when: () => true }))
  .check(z.superRefine(requireSpritesToken, { when: () => true }));

function requireSpritesToken(
  env: { SANDBOX_PROVIDER?: unknown; SPRITES_TOKEN?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (env.SANDBOX_PROVIDER === "sprites" && env.SPRITES_TOKEN === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["SPRITES_TOKEN"],
      message: "is required when SANDBOX_PROVIDER=sprites",
      input: undefined,
    });
  }
}

function requireOnePlatform(
  env: Partial<Record<keyof typeof platformVariables, unknown>>,
  ctx: z.RefinementCtx,
): void {
  const required = (name: string, message = "is required") =>
    ctx.addIssue({ code: "custom", path: [name], message, input: undefined });
  const slack = env.SLACK_BOT_TOKEN !== undefined || env.SLACK_SIGNING_SECRET !== undefined;
  const discord = env.DISCORD_TOKEN !== undefined;
  if (!slack && !discord) {
    required("SLACK_BOT_TOKEN");
    required("SLACK_SIGNING_SECRET");
    required("DISCORD_TOKEN", "or the two Slack settings above: at least one chat platform is required");
    return;
  }
  if (slack && env.SLACK_BOT_TOKEN === undefined) required("SLACK_BOT_TOKEN");
  if (slack && env.SLACK_SIGNING_SECRET === undefined) required("SLACK_SIGNING_SECRET");
}

/** Where to get each secret, printed beside a missing or bad one. */
export const environmentHints: Record<string, string> = {
  SLACK_BOT_TOKEN: "Slack app settings → OAuth & Permissions → Bot User OAuth Token",
  SLACK_SIGNING_SECRET: "Slack app settings → Basic Information → App Credentials → Signing Secret",
  SLACK_APP_TOKEN: "Slack app settings → Basic Information → App-Level Tokens (scope connections:write)",
  SLACK_API_URL: "leave unset for Slack itself; a base URL such as http://127.0.0.1:9001/api/ for a stand-in",
  OPENAI_API_KEY: "your model provider's API key (platform.openai.com → API keys, or your gateway's)",
  OPENAI_BASE_URL: "leave unset for OpenAI; the /v1 base URL of an OpenAI-compatible server otherwise",
  REDIS_URL:
    "redis://host:6379; unset means 127.0.0.1:6379 (a private redis-server is started if none answers)",
  DISCORD_TOKEN: "Discord Developer Portal → your application → Bot → Reset Token",
  DISCORD_API_URL:
    "leave unset for Discord itself; a REST base such as http://127.0.0.1:9002/api for a stand-in",
  DISCORD_APPLICATION_ID:
    "Discord Developer Portal → your application → General Information → Application ID",
  PORT: "the HTTP port for /slack/events",
  SPRITES_TOKEN:
    "sprites.dev/account → API tokens, or `sprite org auth` (needed when SANDBOX_PROVIDER=sprites)",
  PUBLIC_BASE_URL: "the https:// address users' browsers reach this app at (for OAuth callbacks)",
  THREADHANDS_SECRET_KEY: "32 random bytes, base64 or hex (openssl rand -base64 32); encrypts linked tokens",
  SPRITES_API_URL: "leave unset for Sprites itself; a base URL such as http://127.0.0.1:9003 for a stand-in",
};

const seedSourceSchema = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  mode: z.enum(["copy", "bind"]).default("copy"),
});

export const fileConfigSchema = z
  .object({
    agent: z
      .object({
        maxStepsPerTurn: z.number().int().min(1).max(200).default(25),
        commandTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
        maxCommandTimeoutSeconds: z.number().int().min(1).max(86_400).default(900),
        outputLimitBytes: z
          .number()
          .int()
          .min(1024)
          .default(64 * 1024),
        systemPrompt: z.string().optional(),
        /** What one session may spend before it pauses with a Continue button (each press grants as much again). */
        sessionBudget: z
          .object({
            steps: z.number().int().min(1).default(200),
            tokens: z.number().int().min(1000).default(2_000_000),
          })
          .prefault({}),
      })
      .prefault({}),
    model: z
      .object({
        maxRetries: z.number().int().min(0).max(10).default(3),
        timeoutSeconds: z.number().int().min(1).default(120),
      })
      .prefault({}),
    queue: z
      .object({
        prefix: z.string().min(1).default("threadhands"),
        concurrency: z.number().int().min(1).max(256).default(4),
        /** Turns running at once, across all workers, for one workspace and for one user. */
        maxTurnsPerWorkspace: z.number().int().min(1).default(8),
        maxTurnsPerUser: z.number().int().min(1).default(3),
      })
      .prefault({}),
    policy: z
      .object({
        checkpointAt: z.enum(riskLevels).default("destructive"),
        /** A command using someone's linked account at or above this level waits for their Approve. */
        approveCredentialedAt: z.enum(riskLevels).default("destructive"),
      })
      .prefault({}),
    sandbox: z
      .object({
        isolation: z.enum(["auto", "namespaces", "portable"]).default("auto"),
        /**
         * ephemeral: a fresh sandbox per session, destroyed when it ends (End session, idle, thread
         * deleted). persistent: one named sandbox per scope key, kept across sessions.
         */
        lifecycle: z.enum(["ephemeral", "persistent"]).default("ephemeral"),
        /** For persistent sandboxes: one per thread, or one shared by a channel's threads. */
        scope: z.enum(["thread", "channel"]).default("thread"),
        /** An ephemeral session with no activity for this long ends and its sandbox goes. */
        idleMinutes: z.number().positive().default(60),
        /** "off" | "on" | { allow: ["api.github.com", "*.example.com:8443"] } (an HTTP(S) proxy). */
        network: z
          .union([z.enum(["off", "on"]), z.object({ allow: z.array(z.string().min(1)).min(1) }).strict()])
          .default("off"),
        limits: z
          .object({
            memoryMb: z.number().int().min(16).default(1024),
            pids: z.number().int().min(8).default(256),
            cpuPercent: z.number().int().min(10).default(100),
          })
          .prefault({}),
        seed: z
          .object({
            sources: z.array(seedSourceSchema).default([]),
            setup: z.array(z.string().min(1)).default([]),
          })
          .prefault({}),
      })
      .prefault({}),
    chat: z
      .object({
        /** Slack allows about one message a second per channel, with short bursts. */
        postsPerSecondPerChannel: z.number().positive().default(1),
        postBurst: z.number().int().min(1).default(4),
      })
      .prefault({}),
    credentials: credentialsSettingsSchema.prefault({}),
    access: z
      .object({
        /** Users (platform ids) who may restore in any thread, besides the session's participants. */
        restoreUsers: z.array(z.string()).default([]),
      })
      .prefault({}),
  })
  .strict();

export type EnvironmentSettings = z.infer<typeof environmentSchema>;
export type FileSettings = z.infer<typeof fileConfigSchema>;
export type AppConfig = EnvironmentSettings & FileSettings;
