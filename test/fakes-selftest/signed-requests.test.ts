import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  appMentionEvent,
  blockActionsPayload,
  botMessageEvent,
  channelMessageEvent,
  postSlackEvent,
  postSlackInteraction,
  postUrlVerification,
} from "../fakes/slack/signed-requests.ts";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

interface Captured {
  headers: IncomingHttpHeaders;
  body: string;
}

// A bare receiver, so the signature is checked by an HMAC computed here, not by our own helper.
async function startCapture(): Promise<{ url: string; captured: Captured[]; server: Server }> {
  const captured: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      captured.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, captured, server };
}

function independentSignature(secret: string, headers: IncomingHttpHeaders, body: string): string {
  const timestamp = String(headers["x-slack-request-timestamp"]);
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`, "utf8").digest("hex")}`;
}

describe("signed Slack requests", () => {
  let server: Server | undefined;
  afterEach(async () => {
    const running = server;
    server = undefined;
    if (!running) return;
    running.closeAllConnections();
    await new Promise((resolve) => running.close(resolve));
  });

  it("signs an event_callback exactly as Slack does and wraps the inner event in the real envelope", async () => {
    const capture = await startCapture();
    server = capture.server;
    const event = appMentionEvent({
      user: "U0HUMAN001",
      text: "disk is full",
      channel: "C0INCIDENT",
      ts: "1700000001.000200",
    });
    const response = await postSlackEvent(capture.url, SECRET, event, {
      eventId: "Ev0SELFTEST1",
      teamId: "T0SELFTEST",
    });
    expect(response).toMatchObject({ status: 200, json: { received: true } });

    const [request] = capture.captured;
    if (!request) throw new Error("no request captured");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-slack-signature"]).toBe(
      independentSignature(SECRET, request.headers, request.body),
    );
    expect(Math.abs(Number(request.headers["x-slack-request-timestamp"]) - Date.now() / 1000)).toBeLessThan(
      5,
    );
    expect(request.headers["x-slack-retry-num"]).toBeUndefined();

    const envelope = JSON.parse(request.body);
    expect(envelope).toMatchObject({
      type: "event_callback",
      team_id: "T0SELFTEST",
      event_id: "Ev0SELFTEST1",
      is_ext_shared_channel: false,
      authorizations: [{ team_id: "T0SELFTEST", is_bot: true }],
      event: { type: "app_mention", user: "U0HUMAN001", channel: "C0INCIDENT", ts: "1700000001.000200" },
    });
    for (const field of ["token", "api_app_id", "event_time", "event_context"])
      expect(envelope).toHaveProperty(field);
    expect(envelope.event.text).toMatch(/^<@U[A-Z0-9]+> disk is full$/);
    expect(envelope.event.event_ts).toBe("1700000001.000200");
  });

  it("adds retry headers on redelivery and can sign with the wrong secret", async () => {
    const capture = await startCapture();
    server = capture.server;
    const event = channelMessageEvent({
      user: "U0HUMAN001",
      text: "more logs",
      channel: "C0INCIDENT",
      thread_ts: "1700000001.000200",
    });
    await postSlackEvent(capture.url, SECRET, event, { retryNum: 1, retryReason: "http_timeout" });
    await postSlackEvent(capture.url, SECRET, event, { badSignature: true, timestamp: 1_700_000_000 });
    const [retry, bad] = capture.captured;
    expect(retry?.headers).toMatchObject({
      "x-slack-retry-num": "1",
      "x-slack-retry-reason": "http_timeout",
    });
    expect(JSON.parse(retry?.body ?? "{}").event).toMatchObject({
      type: "message",
      channel_type: "channel",
      thread_ts: "1700000001.000200",
    });
    expect(bad?.headers["x-slack-request-timestamp"]).toBe("1700000000");
    expect(bad?.headers["x-slack-signature"]).not.toBe(
      independentSignature(SECRET, bad?.headers ?? {}, bad?.body ?? ""),
    );
  });

  it("posts interactions as form-encoded payload=<json>", async () => {
    const capture = await startCapture();
    server = capture.server;
    const payload = blockActionsPayload({
      user: "U0HUMAN001",
      channel: "C0INCIDENT",
      messageTs: "1700000002.000300",
      threadTs: "1700000001.000200",
      actionId: "restore_checkpoint",
      value: "cp-42",
      teamId: "T0SELFTEST",
    });
    await postSlackInteraction(capture.url, SECRET, payload);
    const [request] = capture.captured;
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.headers["x-slack-signature"]).toBe(
      independentSignature(SECRET, request?.headers ?? {}, request?.body ?? ""),
    );
    const decoded = JSON.parse(new URLSearchParams(request?.body).get("payload") ?? "null");
    expect(decoded).toMatchObject({
      type: "block_actions",
      user: { id: "U0HUMAN001", team_id: "T0SELFTEST" },
      container: {
        type: "message",
        message_ts: "1700000002.000300",
        channel_id: "C0INCIDENT",
        is_ephemeral: false,
      },
      channel: { id: "C0INCIDENT" },
      message: { ts: "1700000002.000300", thread_ts: "1700000001.000200" },
      actions: [{ action_id: "restore_checkpoint", value: "cp-42", type: "button" }],
    });
    expect(decoded.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
  });

  it("builds bot messages that carry bot_id and the bot_message subtype", () => {
    expect(botMessageEvent({ text: "done", channel: "C0INCIDENT", botId: "B0OTHER001" })).toMatchObject({
      type: "message",
      subtype: "bot_message",
      bot_id: "B0OTHER001",
    });
  });

  it("sends the url_verification handshake", async () => {
    const capture = await startCapture();
    server = capture.server;
    await postUrlVerification(capture.url, SECRET, {
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
    expect(JSON.parse(capture.captured[0]?.body ?? "{}")).toMatchObject({
      type: "url_verification",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
  });
});
