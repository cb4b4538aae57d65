import { expect } from "vitest";
import { type FakeOAuthProvider, startFakeOAuthProvider } from "../fakes/oauth/fake-oauth-provider.ts";
import { type FakeSpritesServer, startFakeSprites } from "../fakes/sprites/fake-sprites-server.ts";
import { channel, type SlackHarness, startSlackHarness } from "./slack-harness.ts";

export const alice = "U0ALICE";
export const bob = "U0BOB";
export const sentinel = "gho_SENTINEL0token0for0alice0must0never0leak";

export interface CredentialsRig {
  harness: SlackHarness;
  github: FakeOAuthProvider;
  sprites: FakeSpritesServer | undefined;
  /** Every directory that holds sandbox files, whichever backend runs them. */
  sandboxRoots: string[];
  /** Alice says `connect github`, gets a private link, and her browser completes the flow. */
  linkAlice(): Promise<void>;
  close(): Promise<void>;
}

/** The real app with GitHub linking against a fake provider, on local sandboxes or fake Sprites. */
export async function startCredentialsRig(backend: "local" | "sprites" = "local"): Promise<CredentialsRig> {
  const github = await startFakeOAuthProvider();
  const sprites = backend === "sprites" ? await startFakeSprites() : undefined;
  const harness = await startSlackHarness(
    (config) => {
      config.credentials = {
        providers: {
          github: {
            type: "github",
            authorizeUrl: `${github.url}/authorize`,
            tokenUrl: `${github.url}/token`,
            apiUrl: github.url,
          },
        },
      };
      if (sprites) {
        config.SANDBOX_PROVIDER = "sprites";
        config.SPRITES_TOKEN = sprites.token;
        config.SPRITES_API_URL = sprites.url;
      }
    },
    {
      captureLogs: true,
      env: {
        GITHUB_CLIENT_ID: github.clientId,
        GITHUB_CLIENT_SECRET: github.clientSecret,
        THREADHANDS_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
        PUBLIC_BASE_URL: "http://threadhands.test",
      },
    },
  );
  const { slack } = harness;
  return {
    harness,
    github,
    sprites,
    sandboxRoots: [harness.dataDir, ...(sprites ? [sprites.rootDir] : [])],
    async linkAlice() {
      await harness.mention(alice, "connect github");
      const invite = await slack.waitFor(
        () => slack.ephemerals(channel).find((e) => e.user === alice && e.text.includes("http")),
        { timeoutMs: 10_000 },
      );
      expect(
        slack
          .messages(channel)
          .map((message) => message.text)
          .join("\n"),
      ).not.toContain(github.url);
      const link = invite.text.match(/https?:\/\/\S+/)?.[0] ?? "";
      github.issueNextAccessToken(sentinel);
      const callback = new URL(await github.authorize(link));
      const page = await fetch(`http://127.0.0.1:${harness.app.port}${callback.pathname}${callback.search}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Linked GitHub as @octocat");
      await slack.waitForMessage(
        channel,
        (message) => message.text.includes(`<@${alice}> linked GitHub as octocat`),
        {
          timeoutMs: 10_000,
        },
      );
    },
    async close() {
      await harness.close();
      await github.close();
      await sprites?.close();
    },
  };
}
