import { afterAll } from "vitest";
import { createSpritesSandboxProvider } from "../../src/sandbox/sprites/sprites-sandbox-provider.ts";
import { type FakeSpritesServer, startFakeSprites } from "../fakes/sprites/fake-sprites-server.ts";
import { describeSandboxContract } from "./sandbox-contract.ts";

const fakes: FakeSpritesServer[] = [];
afterAll(async () => {
  for (const fake of fakes) await fake.close();
});

// The production code path: only the base URL points at the fake.
describeSandboxContract("Sprites sandbox on the fake Sprites API", async () => {
  const fake = await startFakeSprites();
  fakes.push(fake);
  return createSpritesSandboxProvider({
    token: fake.token,
    apiUrl: fake.url,
    defaultTimeoutMs: 20_000,
    maxOutputBytes: 1024 * 1024,
  });
});
