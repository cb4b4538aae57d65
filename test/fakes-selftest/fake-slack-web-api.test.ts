import { webApi } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeSlackWebApi, type FakeSlack } from "../fakes/slack/fake-slack-web-api.ts";

const TOKEN = "xoxb-1234-5678-selftest";
const CHANNEL = "C0INCIDENT";

// The real client Bolt uses, pointed at the fake: if it works with this, it speaks Slack.
const clientFor = (fake: FakeSlack, token = TOKEN) =>
  new webApi.WebClient(token, {
    slackApiUrl: fake.url,
    logLevel: webApi.LogLevel.ERROR,
    retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 },
  });

describe("fake Slack Web API driven by @slack/web-api", () => {
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await createFakeSlackWebApi({
      botUserId: "U0BOTSELF1",
      botId: "B0BOTSELF1",
      teamId: "T0SELFTEST",
    });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("answers auth.test with the configured identity", async () => {
    const result = await clientFor(fake).auth.test();
    expect(result).toMatchObject({
      ok: true,
      user_id: "U0BOTSELF1",
      bot_id: "B0BOTSELF1",
      team_id: "T0SELFTEST",
    });
    expect(result.url).toMatch(/^https:\/\/.+\.slack\.com\/$/);
    expect(fake.calls[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("stores a threaded postMessage with blocks sent form-encoded, and applies chat.update", async () => {
    const client = clientFor(fake);
    const parent = fake.addMessage(CHANNEL, { user: "U0HUMAN001", text: "<@U0BOTSELF1> disk full on db-1" });
    const blocks = [
      { type: "section", text: { type: "mrkdwn", text: "*Investigating*" } },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: "restore",
            text: { type: "plain_text", text: "Restore" },
            value: "cp-1",
          },
        ],
      },
    ];
    const posted = await client.chat.postMessage({
      channel: CHANNEL,
      thread_ts: parent.ts,
      text: "Investigating",
      blocks,
    });
    expect(posted.ok).toBe(true);
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(posted.message).toMatchObject({
      bot_id: "B0BOTSELF1",
      user: "U0BOTSELF1",
      thread_ts: parent.ts,
      blocks,
    });

    const call = fake.callsTo("chat.postMessage")[0];
    expect(call?.encoding).toBe("form");
    expect(call?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(call?.args.blocks).toEqual(blocks); // sent as a JSON string field, decoded by the fake

    const second = await client.chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts, text: "Second" });
    expect(Number(second.ts)).toBeGreaterThan(Number(posted.ts));

    await client.chat.update({ channel: CHANNEL, ts: posted.ts as string, text: "Done", blocks: [] });
    const [, first] = fake.thread(CHANNEL, parent.ts);
    expect(first).toMatchObject({ text: "Done", blocks: undefined });
    expect(first?.history).toEqual([{ text: "Investigating", blocks }]);
    expect(first?.edited?.user).toBe("U0BOTSELF1");

    const replies = await client.conversations.replies({ channel: CHANNEL, ts: parent.ts });
    expect(replies.messages?.map((message) => message.text)).toEqual([parent.text, "Done", "Second"]);
    expect(replies.messages?.[0]).toMatchObject({ reply_count: 2, thread_ts: parent.ts });
  });

  it("keeps ephemerals apart, and deletes and reacts", async () => {
    const client = clientFor(fake);
    const result = await client.chat.postEphemeral({
      channel: CHANNEL,
      user: "U0HUMAN001",
      text: "only you",
    });
    expect(result.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.ephemerals(CHANNEL)).toMatchObject([{ user: "U0HUMAN001", text: "only you" }]);
    expect(fake.messages(CHANNEL)).toEqual([]);

    const posted = await client.chat.postMessage({ channel: CHANNEL, text: "hi" });
    await client.reactions.add({ channel: CHANNEL, timestamp: posted.ts as string, name: "eyes" });
    await expect(
      client.reactions.add({ channel: CHANNEL, timestamp: posted.ts as string, name: "eyes" }),
    ).rejects.toMatchObject({ data: { error: "already_reacted" } });
    expect(fake.messages(CHANNEL)[0]?.reactions).toEqual([{ name: "eyes", users: ["U0BOTSELF1"], count: 1 }]);
    await client.chat.delete({ channel: CHANNEL, ts: posted.ts as string });
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it("resolves users.info for registered and well-formed ids", async () => {
    fake.addUser({ id: "U0ALICE001", name: "alice", real_name: "Alice Ops" });
    const client = clientFor(fake);
    const alice = await client.users.info({ user: "U0ALICE001" });
    expect(alice.user).toMatchObject({
      id: "U0ALICE001",
      name: "alice",
      real_name: "Alice Ops",
      is_bot: false,
    });
    await expect(client.users.info({ user: "C0NOTAUSER" })).rejects.toMatchObject({
      data: { error: "user_not_found" },
    });
  });

  it("runs the filesUploadV2 flow: upload URL, raw bytes, completion into the thread", async () => {
    const client = clientFor(fake);
    const result = await client.filesUploadV2({
      channel_id: CHANNEL,
      thread_ts: "1700000000.000100",
      filename: "output.log",
      content: "line 1\nline 2\n",
      initial_comment: "Full output",
    });
    expect(result.ok).toBe(true);
    expect(fake.callsTo("files.getUploadURLExternal")[0]?.args).toMatchObject({
      filename: "output.log",
      length: "14",
    });
    const [upload] = fake.uploads;
    expect(upload?.bytes?.toString("utf8")).toBe("line 1\nline 2\n");
    expect(upload?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload).toMatchObject({ completed: true, channel: CHANNEL, threadTs: "1700000000.000100" });
    const completion = fake.callsTo("files.completeUploadExternal")[0];
    expect(completion?.args.files).toEqual([{ id: upload?.fileId, title: "output.log" }]);
    const shared = fake.messages(CHANNEL)[0];
    expect(shared).toMatchObject({ thread_ts: "1700000000.000100", text: "Full output" });
    expect(shared?.files).toMatchObject([{ id: upload?.fileId, name: "output.log", size: 14 }]);
  });

  it("answers 429 with Retry-After, which the client waits out and retries", async () => {
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const client = clientFor(fake);
    const rateLimited: number[] = [];
    client.on(webApi.WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));
    const started = Date.now();
    const result = await client.chat.postMessage({ channel: CHANNEL, text: "after the limit" });
    expect(result.ok).toBe(true);
    expect(rateLimited).toEqual([1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.callsTo("chat.postMessage").map((call) => call.status)).toEqual([429, 200]);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
  });

  it("rejects bad tokens, unknown methods and invalid blocks like Slack", async () => {
    await expect(clientFor(fake, "not-a-token").auth.test()).rejects.toMatchObject({
      data: { error: "invalid_auth" },
    });
    await expect(
      new webApi.WebClient(undefined, { slackApiUrl: fake.url }).auth.test(),
    ).rejects.toMatchObject({
      data: { error: "not_authed" },
    });
    await expect(clientFor(fake).apiCall("conversations.frobnicate", {})).rejects.toMatchObject({
      data: { error: "unknown_method" },
    });
    expect(() => fake.assertNoUnexpectedCalls()).toThrow(/conversations\.frobnicate/);

    const tooLong = [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }];
    await expect(
      clientFor(fake).chat.postMessage({ channel: CHANNEL, text: "t", blocks: tooLong }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
  });

  it("accepts JSON bodies too, as Slack does for write methods", async () => {
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel: CHANNEL, text: "json", blocks: [{ type: "divider" }] }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: CHANNEL });
    expect(fake.messages(CHANNEL)[0]).toMatchObject({ text: "json", blocks: [{ type: "divider" }] });
  });

  it("waitFor resolves on arrival and explains a timeout with what was seen", async () => {
    const client = clientFor(fake);
    setTimeout(() => void client.chat.postMessage({ channel: CHANNEL, text: "late reply" }), 50);
    const message = await fake.waitForMessage(CHANNEL, (m) => m.text === "late reply", { timeoutMs: 2_000 });
    expect(message.bot_id).toBe("B0BOTSELF1");
    await expect(fake.waitForMessage(CHANNEL, (m) => m.text === "never", { timeoutMs: 100 })).rejects.toThrow(
      /timed out after 100 ms for a message in C0INCIDENT[\s\S]*chat\.postMessage[\s\S]*late reply/,
    );
  });
});
