import { setTimeout as sleepFor } from "node:timers/promises";
import { AppError } from "../../errors.ts";
import type { Sandbox, SandboxProvider } from "../sandbox.ts";
import { type SpritesSeedSource, seedTarget } from "./seed-archive.ts";
import { seedSprite } from "./seed-sprite.ts";
import {
  assertValidPrefix,
  keyHashFromLabels,
  labelsForKey,
  OWNER_LABEL,
  READY_LABEL,
  spriteNameForKey,
} from "./sprite-name.ts";
import { createSpritesApi, type SpritesApi } from "./sprites-api.ts";
import { SpritesError } from "./sprites-errors.ts";
import { SpritesSandbox } from "./sprites-sandbox.ts";

/** Waits, and rejects at once when the signal aborts. */
const sleep = (ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal });

export interface SpritesSandboxOptions {
  token: string;
  /** Default https://api.sprites.dev; a stand-in's base URL in tests (the only difference). */
  apiUrl?: string;
  /** Our Sprites' names start with `<prefix>-`; the sweeper lists by it. */
  namePrefix?: string;
  defaultTimeoutMs: number;
  maxOutputBytes: number;
  /** Run once by whichever worker created the Sprite; other workers wait for the ready label. */
  setup?: string[];
  /** Host trees unpacked into a new Sprite before the setup commands, by its creator only. */
  seedSources?: SpritesSeedSource[];
  pingIntervalMs?: number;
  deadAfterMs?: number;
  killGraceMs?: number;
  restoreReadyTimeoutMs?: number;
  /** Creation answered 429: retries, each after the API's Retry-After (capped at 10 s). */
  createRetries?: number;
  readyWaitMs?: number;
  requestTimeoutMs?: number;
}

/** One of our Sprites as the sweeper sees it. */
export interface OwnedSprite {
  name: string;
  keyHash: string | undefined;
  status: string | undefined;
  createdAt: string | undefined;
}

export interface SpritesSandboxProvider extends SandboxProvider {
  /** Every Sprite carrying our label, for the sweeper. */
  listOwned(options?: { signal?: AbortSignal }): Promise<OwnedSprite[]>;
  /** Deletes one of ours by name; false when it was already gone. */
  destroyByName(name: string, options?: { signal?: AbortSignal }): Promise<boolean>;
  /** The Sprite name a thread key maps to. */
  nameFor(key: string): string;
}

export const DEFAULT_SPRITES_API_URL = "https://api.sprites.dev";

export function createSpritesSandboxProvider(options: SpritesSandboxOptions): SpritesSandboxProvider {
  const prefix = options.namePrefix ?? "th";
  assertValidPrefix(prefix);
  const apiUrl = options.apiUrl ?? DEFAULT_SPRITES_API_URL;
  const api = createSpritesApi({
    baseUrl: apiUrl,
    token: options.token,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  const setup = options.setup ?? [];
  const seedSources = options.seedSources ?? [];
  // A bad target is a configuration mistake: say so at startup, not at a thread's first command.
  for (const source of seedSources) seedTarget(source.to);
  const needsReady = setup.length > 0 || seedSources.length > 0;
  const opened = new Map<string, Promise<SpritesSandbox>>();
  let closed = false;

  const sandboxFor = (key: string) =>
    new SpritesSandbox({
      api,
      name: spriteNameForKey(key, prefix),
      defaultTimeoutMs: options.defaultTimeoutMs,
      maxOutputBytes: options.maxOutputBytes,
      pingIntervalMs: options.pingIntervalMs ?? 15_000,
      deadAfterMs: options.deadAfterMs ?? 45_000,
      killGraceMs: options.killGraceMs ?? 5_000,
      restoreReadyTimeoutMs: options.restoreReadyTimeoutMs ?? 60_000,
      maxRunAfterDisconnect: "5s",
      onGone: () => opened.delete(key),
    });

  async function createOrAdopt(key: string, signal: AbortSignal | undefined): Promise<SpritesSandbox> {
    const sandbox = sandboxFor(key);
    const labels = labelsForKey(key);
    const { created } = await createWithRetries(api, sandbox.id, labels, options.createRetries ?? 3, signal);
    if (created) {
      try {
        await seedSprite(sandbox, api, { sources: seedSources, setup }, signal);
        if (needsReady) await api.setLabels(sandbox.id, [...labels, READY_LABEL], signal);
      } catch (error) {
        await api.deleteSprite(sandbox.id, undefined).catch(() => {});
        throw error;
      }
      return sandbox;
    }
    // Another worker created it first (or it survived from an earlier session): use it.
    await adopt(api, sandbox.id, needsReady, options.readyWaitMs ?? 120_000, signal);
    return sandbox;
  }

  function assertOpen(): void {
    if (closed) throw new AppError("sandbox_provider_closed", "the sandbox provider is closed");
  }

  return {
    description: `Sprites (Fly.io microVMs) at ${new URL(apiUrl).host}`,
    nameFor: (key) => spriteNameForKey(key, prefix),

    async ownedNames(listOptions = {}) {
      return (await this.listOwned(listOptions)).map((sprite) => sprite.name);
    },

    async describe(key, describeOptions = {}) {
      const name = spriteNameForKey(key, prefix);
      const info = await api.getSprite(name, describeOptions.signal);
      return { name, state: info ? spriteState(info.status) : "absent" };
    },

    async open(key, openOptions = {}): Promise<Sandbox> {
      assertOpen();
      openOptions.signal?.throwIfAborted();
      let pending = opened.get(key);
      if (!pending) {
        pending = createOrAdopt(key, openOptions.signal);
        opened.set(key, pending);
        // A failed creation must not poison the key for the next attempt.
        pending.catch(() => opened.delete(key));
      }
      return pending;
    },

    async find(key, findOptions = {}): Promise<Sandbox | undefined> {
      assertOpen();
      const pending = opened.get(key);
      if (pending) return pending;
      const info = await api.getSprite(spriteNameForKey(key, prefix), findOptions.signal);
      if (!info || (info.labels && !info.labels.includes(OWNER_LABEL))) return undefined;
      const sandbox = Promise.resolve(sandboxFor(key));
      opened.set(key, sandbox);
      return sandbox;
    },

    async listOwned(listOptions = {}): Promise<OwnedSprite[]> {
      const owned: OwnedSprite[] = [];
      for (const listed of await api.listSprites(`${prefix}-`, listOptions.signal)) {
        // The list endpoint may leave labels out; then ask for the Sprite itself.
        const info = listed.labels ? listed : await api.getSprite(listed.name, listOptions.signal);
        if (!info?.labels?.includes(OWNER_LABEL)) continue;
        owned.push({
          name: info.name || listed.name,
          keyHash: keyHashFromLabels(info.labels),
          status: info.status,
          createdAt: info.createdAt,
        });
      }
      return owned;
    },

    async destroyByName(name, destroyOptions = {}): Promise<boolean> {
      const info = await api.getSprite(name, destroyOptions.signal);
      if (!info) return false;
      if (info.labels && !info.labels.includes(OWNER_LABEL)) {
        throw new AppError("sprite_not_ours", `Sprite ${name} does not carry the ${OWNER_LABEL} label`);
      }
      // One this process has open goes through its sandbox: its commands stop, and the key is
      // forgotten, so a later find or open does not hand back a Sprite that is gone.
      for (const [key, pending] of opened) {
        if (spriteNameForKey(key, prefix) !== name) continue;
        const sandbox = await pending.catch(() => undefined);
        if (!sandbox) break;
        await sandbox.destroy(destroyOptions);
        return true;
      }
      return api.deleteSprite(name, destroyOptions.signal);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const sandboxes = await Promise.allSettled(opened.values());
      await Promise.all(
        sandboxes.map((settled) => (settled.status === "fulfilled" ? settled.value.close() : undefined)),
      );
      opened.clear();
    },
  };
}

async function createWithRetries(
  api: SpritesApi,
  name: string,
  labels: string[],
  retries: number,
  signal: AbortSignal | undefined,
): Promise<{ created: boolean }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.createSprite(name, labels, signal);
    } catch (error) {
      if (!(error instanceof SpritesError) || error.code !== "sprites_rate_limited" || attempt >= retries)
        throw error;
      const waitMs = Math.min((error.retryAfterSeconds ?? 2 ** attempt) * 1000, 10_000);
      await sleep(waitMs, signal);
    }
  }
}

/** Refuses a Sprite of that name that is not ours; waits for the creator's setup to finish. */
async function adopt(
  api: SpritesApi,
  name: string,
  needsReady: boolean,
  readyWaitMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const deadline = Date.now() + readyWaitMs;
  for (;;) {
    const info = await api.getSprite(name, signal);
    if (!info) {
      throw new SpritesError(
        "sprites_create_conflict",
        `Sprite ${name} was taken and then vanished; try again`,
        {
          retryable: true,
        },
      );
    }
    if (info.labels && !info.labels.includes(OWNER_LABEL)) {
      throw new AppError("sprite_not_ours", `a Sprite named ${name} exists without the ${OWNER_LABEL} label`);
    }
    if (!needsReady || !info.labels || info.labels.includes(READY_LABEL)) return;
    if (Date.now() > deadline) {
      throw new SpritesError("sprites_setup_unfinished", `Sprite ${name} never finished its setup`, {
        retryable: true,
      });
    }
    await sleep(500, signal);
  }
}

/** The Sprites API's status words, as a thread is told them. */
function spriteState(status: string | undefined): "cold" | "warm" | "running" {
  if (status === "running") return "running";
  if (status === "warm" || status === "started") return "warm";
  return "cold";
}
