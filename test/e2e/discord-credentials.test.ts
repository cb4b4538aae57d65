import { afterEach, describe, expect, it } from "vitest";
import { type FakeOAuthProvider, startFakeOAuthProvider } from "../fakes/oauth/fake-oauth-provider.ts";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.ts";

const sentinel = "gho_DISCORD0SENTINEL0token0value";

function lastToolResult(request: ChatRequest): string {
  return String(request.body.messages.filter((message) => message.role === "tool").at(-1)?.content ?? "");
}

/** The app on fake Discord with GitHub linking against a fake provider. */
async function startWithGitHub(): Promise<{ harness: DiscordHarness; github: FakeOAuthProvider }> {
  const github = await startFakeOAuthProvider();
  const harness = await startDiscordHarness({
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
  return { harness, github };
}

describe("linked accounts on Discord", () => {
  let harness: DiscordHarness;
  let github: FakeOAuthProvider;
  afterEach(async () => {
    await harness.close();
    await github.close();
  });

  it("sends the sign-in link by DM only, links through the callback, and runs a command with the linked token scrubbed", async () => {
    ({ harness, github } = await startWithGitHub());
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

describe("approving a credentialed command on Discord", () => {
  let harness: DiscordHarness;
  let github: FakeOAuthProvider;
  afterEach(async () => {
    await harness.close();
    await github.close();
  });

  it("parks a destructive credentialed command until its owner clicks Approve; a stranger's click is refused", async () => {
    ({ harness, github } = await startWithGitHub());
    const { discord, model, alice, mallory } = harness;
    discord.say(alice, discord.channelId, `<@${discord.botUser.id}> connect github`);
    const invite = await discord.waitFor(
      () => discord.directMessages(alice.id).find((m) => m.content.includes("http")),
      {
        timeoutMs: 15_000,
      },
    );
    const callback = new URL(await github.authorize(invite.content.match(/https?:\/\/\S+/)?.[0] ?? ""));
    expect(
      (await fetch(`http://127.0.0.1:${harness.app.port}${callback.pathname}${callback.search}`)).status,
    ).toBe(200);

    model.script(
      {
        toolCalls: [
          {
            name: "run_command",
            arguments: { command: "mkdir -p old && rm -rf old", credentials: ["github"] },
          },
        ],
      },
      { content: "Done after approval." },
    );
    const mention = harness.mention(alice, "clean up the old clone");
    const thread = await harness.threadOf(mention.id);
    const approval = await discord.waitFor(
      () => discord.messages(thread).find((m) => JSON.stringify(m.components).includes('"approve:')),
      { timeoutMs: 20_000, description: "the approval request" },
    );
    const approveId = JSON.stringify(approval.components).match(/"custom_id":"(approve:[^"]+)"/)?.[1] ?? "";

    const stranger = discord.click(mallory, approval.id, approveId);
    await discord.waitFor(() => stranger.callbacks[0], { timeoutMs: 3000 });
    expect(stranger.ephemerals.join(" ")).toContain("Only people taking part");
    expect(model.chatRequests).toHaveLength(1);

    const owner = discord.click(alice, approval.id, approveId);
    await discord.waitFor(() => owner.callbacks[0], { timeoutMs: 3000 });
    await discord.waitForMessage(thread, (m) => m.content.includes("Done after approval."), {
      timeoutMs: 20_000,
    });
    expect(discord.message(approval.id)?.content).toBe(
      `Approved by <@${alice.id}>: \`mkdir -p old && rm -rf old\``,
    );
    model.assertDone();
  });
});
