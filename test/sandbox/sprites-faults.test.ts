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
const providers: SpritesSandboxProvider[] = [];
let counter = 0;
const freshKey = () => `slack:T01/C02/${Date.now()}.${counter++}`;

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

async function rejection(pending: Promise<unknown>): Promise<AppError> {
  const error = await pending.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(async () => {
  fake = await startFakeSprites();
});
afterAll(async () => {
  for (const each of providers) await each.close();
  await fake.close();
});

describe("Sprites faults", () => {
  it("retries a creation answered 429 after Retry-After, then uses the Sprite", async () => {
    fake.faults.rateLimitCreates = 1;
    const sandbox = await provider().open(freshKey());
    expect((await sandbox.exec("echo up")).stdout).toBe("up\n");
    const creations = fake.requests.filter(
      (request) => request.method === "POST" && request.url === "/v1/sprites",
    );
    expect(creations.length).toBeGreaterThanOrEqual(2);
  });

  it("gives a retryable rate-limit AppError when creation stays limited", async () => {
    fake.faults.rateLimitCreates = 5;
    const error = await rejection(provider({ createRetries: 1 }).open(freshKey()));
    fake.faults.rateLimitCreates = 0;
    expect(error.code).toBe("sprites_rate_limited");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("rate limit");
  });

  it("turns a dropped exec connection into a retryable AppError instead of a hang", async () => {
    const sandbox = await provider().open(freshKey());
    await sandbox.exec("true");
    fake.faults.dropExecs = 1;
    const started = Date.now();
    const error = await rejection(sandbox.exec("sleep 3; echo late"));
    expect(error.code).toBe("sprites_exec_connection_lost");
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect((await sandbox.exec("echo again")).stdout).toBe("again\n");
  });

  it("says a Sprite deleted underneath is gone, and the next open starts a fresh one", async () => {
    const sprites = provider();
    const key = freshKey();
    const sandbox = await sprites.open(key);
    await sandbox.exec("echo old > leftover");
    await fake.deleteUnderneath(sandbox.id);
    const error = await rejection(sandbox.exec("cat leftover"));
    expect(error.code).toBe("sprite_not_found");
    expect(error.message).toContain(sandbox.id);
    const fresh = await sprites.open(key);
    expect((await fresh.exec("test -e leftover && echo old || echo fresh")).stdout).toBe("fresh\n");
  });

  it("fails a restore whose stream carries an error line and never reports it restored", async () => {
    const sandbox = await provider().open(freshKey());
    await sandbox.writeFile("state.txt", "before");
    const checkpoint = await sandbox.checkpoint("before edit");
    await sandbox.writeFile("state.txt", "after");
    fake.faults.restoreError = "Restore failed: disk full";
    const error = await rejection(sandbox.restore(checkpoint.id));
    expect(error.code).toBe("sprites_restore_failed");
    expect(error.message).toContain("disk full");
    expect(new TextDecoder().decode(await sandbox.readFile("state.txt"))).toBe("after");
    await sandbox.restore(checkpoint.id);
    expect(new TextDecoder().decode(await sandbox.readFile("state.txt"))).toBe("before");
  });

  it("fails a checkpoint whose stream carries an error line", async () => {
    const sandbox = await provider().open(freshKey());
    fake.faults.checkpointError = "Checkpoint failed: disk full";
    const error = await rejection(sandbox.checkpoint("before deploy"));
    expect(error.code).toBe("sprites_checkpoint_failed");
    expect(await sandbox.listCheckpoints()).toEqual([]);
  });

  it("waits after a restore until the Sprite answers commands again", async () => {
    const sandbox = await provider().open(freshKey());
    const checkpoint = await sandbox.checkpoint("step 1: install");
    expect(checkpoint.label).toBe("step 1: install");
    fake.faults.restoreUnavailableMs = 800;
    const started = Date.now();
    await sandbox.restore(checkpoint.id);
    fake.faults.restoreUnavailableMs = 200;
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect((await sandbox.exec("echo back")).stdout).toBe("back\n");
  });

  it("keeps a command that prints nothing alive past the keepalive window", async () => {
    const sandbox = await provider({ pingIntervalMs: 100, deadAfterMs: 400 }).open(freshKey());
    const result = await sandbox.exec("sleep 1.5; echo done");
    expect(result).toMatchObject({ exitCode: 0, stdout: "done\n", timedOut: false });
  });

  for (const existsStatus of [409, 400] as const) {
    it(`gives two workers racing to create one Sprite the same Sprite (taken answered ${existsStatus})`, async () => {
      fake.faults.existsStatus = existsStatus;
      const key = freshKey();
      const [a, b] = await Promise.all([provider().open(key), provider().open(key)]);
      expect(a.id).toBe(b.id);
      await a.exec("echo shared > marker");
      expect((await b.exec("cat marker")).stdout).toBe("shared\n");
      expect(fake.spriteNames().filter((name) => name === a.id)).toHaveLength(1);
      fake.faults.existsStatus = 409;
    });
  }

  it("waits for the creator's setup before another worker uses the Sprite", async () => {
    const key = freshKey();
    const setup = ["sleep 0.5; echo seeded > seed.txt"];
    const [a, b] = await Promise.all([provider({ setup }).open(key), provider({ setup }).open(key)]);
    expect(a.id).toBe(b.id);
    expect((await b.exec("cat seed.txt")).stdout).toBe("seeded\n");
    expect(fake.labelsOf(a.id)).toContain("threadhands-ready");
  });

  it("refuses a Sprite that has our name but not our label", async () => {
    const sprites = provider();
    const key = freshKey();
    await createForeignSprite(sprites.nameFor(key));
    const error = await rejection(sprites.open(key));
    expect(error.code).toBe("sprite_not_ours");
  });

  it("lists only the Sprites labelled as ours, and destroys one by name", async () => {
    const sprites = provider();
    const key = freshKey();
    const ours: Sandbox = await sprites.open(key);
    await createForeignSprite("th-not-ours-at-all");
    const owned = await sprites.listOwned();
    const names = owned.map((sprite) => sprite.name);
    expect(names).toContain(ours.id);
    expect(names).not.toContain("th-not-ours-at-all");
    expect(owned.find((sprite) => sprite.name === ours.id)?.keyHash).toMatch(/^[0-9a-f]{16}$/);
    expect(await sprites.destroyByName(ours.id)).toBe(true);
    expect(await sprites.destroyByName(ours.id)).toBe(false);
    expect(await rejection(sprites.destroyByName("th-not-ours-at-all"))).toMatchObject({
      code: "sprite_not_ours",
    });
  });
});

async function createForeignSprite(name: string): Promise<void> {
  const response = await fetch(`${fake.url}/v1/sprites`, {
    method: "POST",
    headers: { Authorization: `Bearer ${fake.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name, labels: ["someone-else"] }),
  });
  expect(response.status).toBe(201);
}
