import { afterEach, describe, expect, it } from "vitest";
import { type FakeOAuthProvider, startFakeOAuthProvider } from "../fakes/oauth/fake-oauth-provider.ts";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.ts";

const sentinel = "gho_DISCORD0SENTINEL0token0value";

function lastToolResult(request: ChatRequest): string {
  return String(request.body.messages.filter((message) => message.role === "tool").at(-1)?.content ?? "");
}

describe("linked accounts on Discord", () => {
  let harness: DiscordHarness;
  let github: FakeOAuthProvider;
  afterEach(async () => {
    await harness.close();
    await github.close();
  });

  it("sends the sign-in link by DM only, links through the callback, and runs a command with the linked token scrubbed", async () => {
    github = await startFakeOAuthProvider();
    harness = await startDiscordHarness({
      tweak: (config) => {
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
      },
      env: {
        GITHUB_CLIENT_ID: github.clientId,
        GITHUB_CLIENT_SECRET: github.clientSecret,
        THREADHANDS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
        PUBLIC_BASE_URL: "http://threadhands.test",
      },
    });
    const { discord, model, alice } = harness;
    discord.say(alice, discord.channelId, `<@${discord.botUser.id}> connect github`);
    const invite = await discord.waitFor(
      () => discord.directMessages(alice.id).find((m) => m.content.includes("http")),
      {
        timeoutMs: 15_000,
        description: "the sign-in link in a DM",
      },
    );
    // No session thread was opened just to link an account.
    expect(discord.threads()).toEqual([]);
    const everythingPublic = discord.threads().flatMap((thread) => discord.messages(thread.id));
    expect(
      [...everythingPublic, ...discord.messages(discord.channelId)].map((m) => m.content).join("\n"),
    ).not.toContain(github.url);
    github.issueNextAccessToken(sentinel);
    const callback = new URL(await github.authorize(invite.content.match(/https?:\/\/\S+/)?.[0] ?? ""));
    const page = await fetch(`http://127.0.0.1:${harness.app.port}${callback.pathname}${callback.search}`);
    expect(page.status).toBe(200);

    model.script(
      {
        toolCalls: [
          { name: "run_command", arguments: { command: 'echo "$GH_TOKEN"', credentials: ["github"] } },
        ],
      },
      (request) => {
        expect(lastToolResult(request)).toContain("[redacted]");
        return { content: "Ran it with your account." };
      },
    );
    const mention = harness.mention(alice, "list my pull requests");
    const thread = await harness.threadOf(mention.id);
    await discord.waitForMessage(thread, (m) => m.content.includes("Ran it with your account."), {
      timeoutMs: 20_000,
    });
    expect(
      discord.messages(thread).some((m) => m.content.includes(`ran as <@${alice.id}> with Github`)),
    ).toBe(true);
    expect(JSON.stringify(discord.calls)).not.toContain(sentinel);
    model.assertDone();
  });
});
