import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appMentionEvent,
  botMessageEvent,
  freshTs,
  postSlackEvent,
  postUrlVerification,
} from "../fakes/slack/signed-requests.ts";
import { channel, type SlackHarness, signingSecret, startSlackHarness } from "./slack-harness.ts";

const alice = "U0ALICE";
const bob = "U0BOB";

async function settle(ms = 700): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe("Slack ingress", () => {
  let harness: SlackHarness;
  beforeEach(async () => {
    harness = await startSlackHarness();
  });
  afterEach(async () => {
    await harness.close();
  });

  it("answers Slack's url_verification challenge", async () => {
    const response = await postUrlVerification(harness.eventsUrl, signingSecret, { challenge: "abc123" });
    expect(response.status).toBe(200);
    expect(response.body).toContain("abc123");
  });

  it("rejects a bad signature with 401 and enqueues nothing", async () => {
    const event = appMentionEvent({
      user: alice,
      text: `<@${harness.slack.botUserId}> hi`,
      channel,
      ts: freshTs(),
    });
    const response = await postSlackEvent(harness.eventsUrl, signingSecret, event, { badSignature: true });
    expect(response.status).toBe(401);
    const stale = await postSlackEvent(harness.eventsUrl, signingSecret, event, {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(stale.status).toBe(401);
    await settle();
    expect(await harness.queuedJobCount()).toBe(0);
    expect(harness.model.chatRequests).toHaveLength(0);
  });

  it("runs one turn for an event Slack retries with the same event_id", async () => {
    const { slack, model } = harness;
    model.script({ content: "Only once." });
    const ts = freshTs();
    const event = appMentionEvent({ user: alice, text: `<@${slack.botUserId}> status?`, channel, ts });
    const first = await postSlackEvent(harness.eventsUrl, signingSecret, event, { eventId: "Ev0RETRIED01" });
    const retry = await postSlackEvent(harness.eventsUrl, signingSecret, event, {
      eventId: "Ev0RETRIED01",
      retryNum: 1,
      retryReason: "http_timeout",
    });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await slack.waitForMessage(channel, (message) => message.text === "Only once.", { timeoutMs: 15_000 });
    await settle();
    expect(model.chatRequests).toHaveLength(1);
    expect(slack.messages(channel).filter((message) => message.text === "Only once.")).toHaveLength(1);
    model.assertDone();
  });

  it("makes a top-level mention the thread root and continues the session on a reply without a mention", async () => {
    const { slack, model } = harness;
    model.script({ content: "First answer." }, (request) => {
      const last = request.body.messages.at(-1);
      expect(String(last?.content)).toContain("and the disk?");
      return { content: "Second answer." };
    });
    const root = await harness.mention(alice, "what is wrong?");
    const first = await slack.waitForMessage(channel, (message) => message.text === "First answer.", {
      timeoutMs: 15_000,
    });
    expect(first.thread_ts).toBe(root);
    await harness.reply(bob, "and the disk?", root);
    const second = await slack.waitForMessage(channel, (message) => message.text === "Second answer.", {
      timeoutMs: 15_000,
    });
    expect(second.thread_ts).toBe(root);
    model.assertDone();
  });

  it("ignores bot messages and replies in threads that have no session", async () => {
    const root = freshTs();
    await postSlackEvent(
      harness.eventsUrl,
      signingSecret,
      botMessageEvent({ text: `<@${harness.slack.botUserId}> loop?`, channel, thread_ts: root }),
    );
    await harness.reply(bob, "unrelated chatter", root);
    await settle();
    expect(harness.model.chatRequests).toHaveLength(0);
    expect(harness.slack.callsTo("chat.postMessage")).toHaveLength(0);
  });
});
