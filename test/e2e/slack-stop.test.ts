import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { buttonValue, channel, type SlackHarness, startSlackHarness } from "./slack-harness.ts";

const alice = "U0ALICE";

function lastToolResult(request: ChatRequest): string {
  return String(request.body.messages.filter((message) => message.role === "tool").at(-1)?.content ?? "");
}

describe("stopping a running turn", () => {
  let harness: SlackHarness;
  beforeEach(async () => {
    harness = await startSlackHarness();
  });
  afterEach(async () => {
    await harness.close();
  });

  it("kills the running command within a second when a participant presses Stop, and the session stays usable", async () => {
    const { slack, model } = harness;
    model.script({ toolCalls: [{ name: "run_command", arguments: { command: "sleep 60" } }] }, (request) => {
      expect(lastToolResult(request)).toContain(`Stopped by <@${alice}>`);
      return { content: "Still here after the stop." };
    });
    const root = await harness.mention(alice, "wait a long time");
    const status = await slack.waitForMessage(
      channel,
      (message) => message.text.includes("running `sleep 60`"),
      {
        timeoutMs: 15_000,
      },
    );
    const stopId = buttonValue(status, "stop_turn");
    expect(stopId).not.toBe("");
    const pressed = Date.now();
    expect(await harness.click(alice, status, stopId, "stop_turn")).toBe(200);
    const stopped = await slack.waitForMessage(
      channel,
      (message) => message.ts === status.ts && message.text.startsWith("Stopped by"),
      {
        timeoutMs: 10_000,
      },
    );
    expect(Date.now() - pressed).toBeLessThan(3_000);
    expect(stopped.text).toContain(`<@${alice}>`);
    expect(JSON.stringify(stopped.blocks)).not.toContain("stop_turn");
    const sandbox = await harness.sandboxOf(root);
    expect((await sandbox.exec("pgrep -x sleep || true")).stdout.trim()).toBe("");

    await harness.reply(alice, "are you still there?", root);
    await slack.waitForMessage(channel, (message) => message.text === "Still here after the stop.", {
      timeoutMs: 15_000,
    });
    model.assertDone();
  });

  it("stops when someone writes stop in the thread", async () => {
    const { slack, model } = harness;
    model.script({ toolCalls: [{ name: "run_command", arguments: { command: "sleep 60" } }] });
    const root = await harness.mention(alice, "wait a long time");
    await slack.waitForMessage(channel, (message) => message.text.includes("running `sleep 60`"), {
      timeoutMs: 15_000,
    });
    await harness.reply(alice, "stop", root);
    await slack.waitForMessage(channel, (message) => message.text.startsWith(`Stopped by <@${alice}>`), {
      timeoutMs: 10_000,
    });
    model.assertDone();
  });
});
