import { afterEach, describe, expect, it } from "vitest";
import type { ChatRequest, StaticStep } from "../fakes/openai/fake-openai.ts";
import { appMentionEvent, freshTs, postSlackEvent } from "../fakes/slack/signed-requests.ts";
import { type DiscordHarness, slackSigningSecret, startDiscordHarness } from "./discord-harness.ts";

const slackChannel = "C0INCIDENT";
const slackUser = "U0ALICE";

/** Answers each session by what it asked, so two sessions may call the model in any order. */
function bySession(request: ChatRequest): StaticStep {
  const messages = request.body.messages;
  const asked = JSON.stringify(messages.filter((message) => message.role === "user"));
  const platform = asked.includes("from slack") ? "slack" : "discord";
  if (messages.at(-1)?.role === "tool") return { content: `Wrote the ${platform} marker.` };
  return { toolCalls: [{ name: "run_command", arguments: { command: `echo ${platform} > marker` } }] };
}

describe("Discord beside Slack and through slash commands", () => {
  let harness: DiscordHarness;
  afterEach(async () => {
    await harness.close();
  });

  it("runs a Discord session and a Slack session side by side in one process, each in its own thread and sandbox", async () => {
    harness = await startDiscordHarness({ withSlack: true });
    const { discord, model, alice } = harness;
    const slack = harness.slack;
    if (!slack) throw new Error("the harness started without Slack");
    model.script(bySession, bySession, bySession, bySession);

    const thread = await harness.threadOf(harness.mention(alice, "write a marker from discord").id);
    const ts = freshTs();
    const event = appMentionEvent({
      user: slackUser,
      text: `<@${slack.botUserId}> write a marker from slack`,
      channel: slackChannel,
      ts,
    });
    const response = await postSlackEvent(
      `http://127.0.0.1:${harness.app.port}/slack/events`,
      slackSigningSecret,
      event,
    );
    expect(response.status).toBe(200);

    await discord.waitForMessage(thread, (message) => message.content.includes("Wrote the discord marker."), {
      timeoutMs: 20_000,
    });
    await slack.waitForMessage(slackChannel, (message) => message.text.includes("Wrote the slack marker."), {
      timeoutMs: 20_000,
    });
    expect(
      slack.messages(slackChannel).find((message) => message.text.includes("Wrote the slack marker."))
        ?.thread_ts,
    ).toBe(ts);
    expect(discord.messages(thread).some((message) => message.content.includes("slack"))).toBe(false);

    const discordSandbox = await harness.sandboxOf(thread);
    expect((await discordSandbox.exec("cat marker")).stdout).toBe("discord\n");
    const slackKey = `slack:${slack.teamId}:${slackChannel}:${ts}`;
    const slackSandbox = await harness.app.sandboxes?.find(slackKey);
    expect((await slackSandbox?.exec("cat marker"))?.stdout).toBe("slack\n");
    model.assertDone();
  });

  it("registers /investigate on ready, defers it at once, and runs the session in a thread started from the reply", async () => {
    harness = await startDiscordHarness();
    const { discord, model, alice } = harness;
    const registered = discord.callsTo("PUT /applications/{application}/commands");
    expect(registered).toHaveLength(1);
    expect(registered[0]?.body).toMatchObject([
      { name: "investigate", options: [{ name: "text", type: 3, required: true }] },
    ]);

    model.script({ content: "Disk usage is fine." });
    const interaction = discord.command(alice, discord.channelId, "investigate", {
      text: "check disk usage",
    });
    const ack = await discord.waitFor(() => interaction.callbacks[0], {
      timeoutMs: 3000,
      description: "the deferral",
    });
    expect(ack.type).toBe(5);
    expect(ack.at - interaction.createdAt).toBeLessThan(3000);

    const replyId = await discord.waitFor(
      () => (discord.threads()[0] ? interaction.originalMessageId : undefined),
      {
        timeoutMs: 10_000,
        description: "a thread from the command's reply",
      },
    );
    const thread = await harness.threadOf(replyId);
    expect(discord.message(replyId)?.content).toBe(`<@${alice.id}> asked: check disk usage`);
    await discord.waitForMessage(thread, (message) => message.content.includes("Disk usage is fine."), {
      timeoutMs: 20_000,
    });
    expect(JSON.stringify(model.chatRequests[0]?.body.messages)).toContain("wrote: check disk usage");
    model.assertDone();
  });

  it("waits out a 429 on a status edit and still lands the latest status text", async () => {
    harness = await startDiscordHarness();
    const { discord, model, alice } = harness;
    discord.failNext("PATCH /channels/{channel}/messages/{message}", { retryAfter: 1 });
    model.script({ content: "All quiet." });
    const thread = await harness.threadOf(harness.mention(alice, "anything on fire?").id);
    await discord.waitForMessage(thread, (message) => message.content.includes("All quiet."), {
      timeoutMs: 20_000,
    });
    const status = discord.messages(thread).find((message) => message.content.startsWith("⏳"));
    await discord.waitFor(() => discord.message(status?.id ?? "")?.content.includes("Done in"), {
      timeoutMs: 10_000,
      description: "the final status",
    });
    const edits = discord.callsTo("PATCH /channels/{channel}/messages/{message}");
    expect(edits[0]?.status).toBe(429);
    expect(edits.slice(1).every((call) => call.status === 200)).toBe(true);
    model.assertDone();
  });

  it("continues the current thread when /investigate runs inside one", async () => {
    harness = await startDiscordHarness();
    const { discord, model, alice } = harness;
    model.script({ content: "First pass done." }, { content: "Second pass done." });
    const thread = await harness.threadOf(harness.mention(alice, "first pass").id);
    await discord.waitForMessage(thread, (message) => message.content.includes("First pass done."), {
      timeoutMs: 20_000,
    });
    const interaction = discord.command(alice, thread, "investigate", { text: "second pass" });
    await discord.waitForMessage(thread, (message) => message.content.includes("Second pass done."), {
      timeoutMs: 20_000,
    });
    expect(interaction.callbacks[0]?.type).toBe(5);
    expect(discord.threads()).toHaveLength(1);
    expect(JSON.stringify(model.chatRequests[1]?.body.messages)).toContain("wrote: second pass");
    model.assertDone();
  });
});
