import type { AddressInfo } from "node:net";
import { App, LogLevel } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeSlackWebApi, type FakeSlack } from "../fakes/slack/fake-slack-web-api.ts";
import {
  appMentionEvent,
  blockActionsPayload,
  postSlackEvent,
  postSlackInteraction,
  postUrlVerification,
} from "../fakes/slack/signed-requests.ts";

const SECRET = "selftest-signing-secret";
const CHANNEL = "C0INCIDENT";

// Real Bolt on both sides of the fakes: its HTTPReceiver verifies our signatures, its
// WebClient posts into the fake Web API. A bot built on Bolt sees the same thing.
describe("real Bolt app against the Slack fakes", () => {
  let fake: FakeSlack;
  let app: App;
  let eventsUrl: string;
  const clicks: Array<{ actionId: string; value: string | undefined; threadTs: unknown }> = [];
  const retries: Array<number | undefined> = [];

  beforeEach(async () => {
    fake = await createFakeSlackWebApi();
    app = new App({
      token: "xoxb-bolt-selftest",
      signingSecret: SECRET,
      clientOptions: { slackApiUrl: fake.url },
      logLevel: LogLevel.ERROR,
    });
    app.event("app_mention", async ({ event, say, context }) => {
      retries.push(context.retryNum);
      await say({ text: `on it: ${event.text}`, thread_ts: event.thread_ts ?? event.ts });
    });
    app.action("restore_checkpoint", async ({ ack, body, action }) => {
      await ack();
      const container = (body as { container?: { thread_ts?: unknown } }).container;
      clicks.push({
        actionId: (action as { action_id: string }).action_id,
        value: (action as { value?: string }).value,
        threadTs: container?.thread_ts,
      });
    });
    const server = (await app.start({ port: 0, host: "127.0.0.1" })) as unknown as { address(): AddressInfo };
    eventsUrl = `http://127.0.0.1:${server.address().port}/slack/events`;
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
    clicks.length = 0;
    retries.length = 0;
  });

  it("accepts a signed mention and replies in the thread through the fake Web API", async () => {
    const mention = appMentionEvent({
      user: "U0HUMAN001",
      text: "why is db-1 slow?",
      channel: CHANNEL,
      botUserId: fake.botUserId,
    });
    fake.addMessage(CHANNEL, { user: "U0HUMAN001", text: String(mention.text), ts: String(mention.ts) });
    const response = await postSlackEvent(eventsUrl, SECRET, mention, { retryNum: 2 });
    expect(response.status).toBe(200);
    const reply = await fake.waitForMessage(CHANNEL, (message) => message.text.startsWith("on it:"));
    expect(reply.thread_ts).toBe(mention.ts);
    expect(retries).toEqual([2]);
    fake.assertNoUnexpectedCalls();
  });

  it("rejects a bad signature and answers the url_verification challenge", async () => {
    const mention = appMentionEvent({ user: "U0HUMAN001", text: "hi", channel: CHANNEL });
    expect((await postSlackEvent(eventsUrl, SECRET, mention, { badSignature: true })).status).toBe(401);
    const stale = await postSlackEvent(eventsUrl, SECRET, mention, {
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(401);
    const handshake = await postUrlVerification(eventsUrl, SECRET, { challenge: "abc123" });
    expect(handshake).toMatchObject({ status: 200, json: { challenge: "abc123" } });
  });

  it("routes a signed block_actions click to the action handler", async () => {
    const payload = blockActionsPayload({
      user: "U0HUMAN001",
      channel: CHANNEL,
      messageTs: "1700000002.000300",
      threadTs: "1700000001.000200",
      actionId: "restore_checkpoint",
      value: "cp-42",
      teamId: fake.teamId,
    });
    const response = await postSlackInteraction(eventsUrl, SECRET, payload);
    expect(response.status).toBe(200);
    expect(clicks).toEqual([
      { actionId: "restore_checkpoint", value: "cp-42", threadTs: "1700000001.000200" },
    ]);
  });
});
