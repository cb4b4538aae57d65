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

  it("pings nobody from agent text, but mentions the user in a private word it cannot make ephemeral", async () => {
    await poster.postAnswer(thread, "@everyone the fix is in");
    await poster.postPrivate(thread, "123456789012345678", "That checkpoint is not part of this session.");
    const [answer, privateWord] = discord
      .callsTo("POST /channels/{channel}/messages")
      .map((call) => call.body);
    expect(answer).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(privateWord).toMatchObject({
      content: "<@123456789012345678> That checkpoint is not part of this session.",
      allowed_mentions: { users: ["123456789012345678"] },
    });
  });

  it("collapses status edits that pile up behind a rate-limited one into a single edit with the latest text", async () => {
    const status = await poster.postStatus(thread, "Looking into it…");
    discord.failNext("PATCH /channels/{channel}/messages/{message}", { retryAfter: 1 });
    const first = poster.updateStatus(thread, status, "Step 1");
    for (let step = 2; step <= 6; step++) await poster.updateStatus(thread, status, `Step ${step}`);
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
