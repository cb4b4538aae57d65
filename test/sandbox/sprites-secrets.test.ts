import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSpritesSandboxProvider } from "../../src/sandbox/sprites/sprites-sandbox-provider.ts";
import { type FakeSpritesServer, startFakeSprites } from "../fakes/sprites/fake-sprites-server.ts";

let fake: FakeSpritesServer;
beforeAll(async () => {
  fake = await startFakeSprites();
});
afterAll(async () => {
  await fake.close();
});

describe("Sprites secrets", () => {
  it("sends a per-command variable over stdin, never in any URL or header the API sees", async () => {
    const provider = createSpritesSandboxProvider({
      token: fake.token,
      apiUrl: fake.url,
      defaultTimeoutMs: 20_000,
      maxOutputBytes: 1024 * 1024,
    });
    const sandbox = await provider.open("slack:T01/C02/secret-thread");
    const secret = `ghp_${Math.random().toString(36).slice(2)}/+= &x`;
    const result = await sandbox.exec('printf %s "$GITHUB_TOKEN"', { env: { GITHUB_TOKEN: secret } });
    expect(result.stdout).toBe(secret);
    // The default environment survives: the API's `env` parameter would have replaced it.
    expect((await sandbox.exec('test -n "$PATH" && echo has-path', { env: { A: "1" } })).stdout).toBe(
      "has-path\n",
    );

    const forms = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ v: secret }).toString().slice(2),
    ];
    expect(fake.requests.length).toBeGreaterThan(2);
    for (const request of fake.requests) {
      const seen = [request.url, ...Object.values(request.headers)].join("\n");
      for (const form of forms) expect(seen).not.toContain(form);
      expect(new URL(request.url, fake.url).searchParams.getAll("env")).toEqual([]);
    }
    await sandbox.destroy();
    await provider.close();
  });

  it("names no URL and no token in the error of a failed exec", async () => {
    const provider = createSpritesSandboxProvider({
      token: fake.token,
      apiUrl: fake.url,
      defaultTimeoutMs: 20_000,
      maxOutputBytes: 1024 * 1024,
    });
    const sandbox = await provider.open("slack:T01/C02/error-thread");
    await fake.deleteUnderneath(sandbox.id);
    const error = await sandbox.exec("true", { env: { TOKEN: "hunter2" } }).catch((reason: Error) => reason);
    expect(error).toBeInstanceOf(Error);
    const text = `${(error as Error).message} ${String((error as Error).cause)}`;
    for (const leak of [fake.url, "127.0.0.1", "ws://", fake.token, "hunter2"])
      expect(text).not.toContain(leak);
    await provider.close();
  });
});
