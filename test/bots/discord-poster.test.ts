import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDiscordRest } from "../../bots/discord/discord-client.ts";
import { createDiscordPoster } from "../../bots/discord/discord-poster.ts";
import type { ThreadRef } from "../../src/chat/thread.ts";
import type { ThreadPoster } from "../../src/chat/thread-poster.ts";
import { createFakeDiscord, type FakeDiscord } from "../fakes/discord/fake-discord.ts";

// The poster through the real @discordjs/rest client against the fake Discord's REST routes.
describe("the Discord poster", () => {
  let discord: FakeDiscord;
  let poster: ThreadPoster;
  let thread: ThreadRef;

  beforeEach(async () => {
    discord = await createFakeDiscord();
    poster = createDiscordPoster({ rest: createDiscordRest({ token: discord.token, apiUrl: discord.url }) });
    // Posting into the text channel stands in for a thread: both are channels to REST.
    thread = {
      platform: "discord",
      workspace: discord.guildId,
      channel: discord.channelId,
      thread: discord.channelId,
    };
  });
  afterEach(async () => {
    await discord.close();
  });

  it("attaches long command output as a file through multipart and keeps the message within 2,000 characters", async () => {
    const output = "x".repeat(10_000);
    const id = await poster.postCommand(thread, {
      command: "cat big",
      exitCode: 0,
      timedOut: false,
      durationMs: 5,
      output,
      risk: "read",
    });
    const message = discord.message(id);
    expect(message?.content.length).toBeLessThanOrEqual(2000);
    expect(message?.attachments.map((file) => [file.filename, file.bytes.toString()])).toEqual([
      ["output.txt", output],
    ]);
    expect(message?.flags).toBe(4);
    discord.assertNoUnexpectedCalls();
  });

  it("pings nobody from agent text, and says a private word in a DM, never in the thread", async () => {
    const bob = discord.addUser("bob");
    await poster.postAnswer(thread, "@everyone the fix is in");
    await poster.postPrivate(thread, bob.id, "Sign in here: https://example.test/only-for-bob");
    const [answer] = discord.callsTo("POST /channels/{channel}/messages").map((call) => call.body);
    expect(answer).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(
      discord
        .messages(discord.channelId)
        .map((message) => message.content)
        .join("\n"),
    ).not.toContain("only-for-bob");
    expect(discord.directMessages(bob.id).map((message) => message.content)).toEqual([
      "Sign in here: https://example.test/only-for-bob",
    ]);
  });

  it("shows a Stop button on a running status and removes it when the turn ends", async () => {
    const status = await poster.postStatus(thread, { text: "Thinking…", stopId: "turn-1" });
    expect(JSON.stringify(discord.message(status)?.components)).toContain("stop:turn-1");
    await poster.updateStatus(thread, status, { text: "Done." });
    await discord.waitFor(() => discord.message(status)?.content === "⏳ Done.", { timeoutMs: 5000 });
    expect(discord.message(status)?.components).toEqual([]);
  });

  it("asks for approval with Approve and Deny buttons and replaces them with the decision", async () => {
    const ref = await poster.postApproval(thread, {
      approvalId: "ap-1",
      command: "gh repo delete x",
      accounts: ["Github"],
      ownerId: "123456789012345678",
      risk: "destructive",
    });
    const components = JSON.stringify(discord.message(ref)?.components);
    expect(components).toContain("approve:ap-1");
    expect(components).toContain("deny:ap-1");
    await poster.markApproval(thread, ref, {
      command: "gh repo delete x",
      decision: "denied",
      by: "123456789012345678",
    });
    expect(discord.message(ref)?.content).toBe("Denied by <@123456789012345678>: `gh repo delete x`");
    expect(discord.message(ref)?.components).toEqual([]);
  });

  it("collapses status edits that pile up behind a rate-limited one into a single edit with the latest text", async () => {
    const status = await poster.postStatus(thread, { text: "Looking into it…" });
    discord.failNext("PATCH /channels/{channel}/messages/{message}", { retryAfter: 1 });
    const first = poster.updateStatus(thread, status, { text: "Step 1" });
    for (let step = 2; step <= 6; step++) await poster.updateStatus(thread, status, { text: `Step ${step}` });
    await first;
    await discord.waitFor(() => discord.message(status)?.content === "⏳ Step 6", { timeoutMs: 5000 });
    const edits = discord.callsTo("PATCH /channels/{channel}/messages/{message}");
    expect(edits.map((call) => [call.status, (call.body as { content: string }).content])).toEqual([
      [429, "⏳ Step 1"],
      [200, "⏳ Step 1"],
      [200, "⏳ Step 6"],
    ]);
  });

  it("removes the Restore button when it marks a checkpoint restored", async () => {
    const id = await poster.postCheckpoint(thread, { restoreId: "r1", label: "rm -rf app" });
    expect(discord.message(id)?.components).toHaveLength(1);
    await poster.markRestored(thread, id, { label: "rm -rf app", restoredBy: "42", durationMs: 9 });
    expect(discord.message(id)).toMatchObject({
      content: "Restored to before `rm -rf app` by <@42> in 9 ms",
      components: [],
    });
  });
});
