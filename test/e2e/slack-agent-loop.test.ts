import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { channel, type SlackHarness, startSlackHarness } from "./slack-harness.ts";

const alice = "U0ALICE";
const bob = "U0BOB";

function toolResults(request: ChatRequest): string[] {
  return request.body.messages
    .filter((message) => message.role === "tool")
    .map((message) => String(message.content));
}

describe("the agent loop in a Slack thread", () => {
  let harness: SlackHarness;
  beforeEach(async () => {
    harness = await startSlackHarness((config) => {
      config.agent.maxStepsPerTurn = 4;
    });
  });
  afterEach(async () => {
    await harness.close();
  });

  it("sends broken tool arguments back to the model as a tool error and carries on", async () => {
    const { slack, model } = harness;
    model.script(
      { toolCalls: [{ name: "run_command", arguments: '{"command": "ls -la' }] },
      (request) => {
        expect(toolResults(request).at(-1)).toContain("not valid JSON");
        return { toolCalls: [{ name: "run_command", arguments: { command: "echo recovered" } }] };
      },
      (request) => {
        expect(toolResults(request).at(-1)).toContain("recovered");
        return { content: "Recovered from my typo." };
      },
    );
    await harness.mention(alice, "list files");
    await slack.waitForMessage(channel, (message) => message.text === "Recovered from my typo.", {
      timeoutMs: 15_000,
    });
    model.assertDone();
  });

  it("tells the model when tool arguments do not match the schema", async () => {
    const { slack, model } = harness;
    model.script({ toolCalls: [{ name: "write_file", arguments: { path: "a.txt" } }] }, (request) => {
      expect(toolResults(request).at(-1)).toMatch(/Invalid arguments for write_file[\s\S]*content/);
      return { content: "I forgot the content." };
    });
    await harness.mention(alice, "write a file");
    await slack.waitForMessage(channel, (message) => message.text === "I forgot the content.", {
      timeoutMs: 15_000,
    });
    model.assertDone();
  });

  it("kills a command that hangs at its timeout and says so in the thread and to the model", async () => {
    const { slack, model } = harness;
    model.script(
      { toolCalls: [{ name: "run_command", arguments: { command: "sleep 600", timeout_s: 1 } }] },
      (request) => {
        expect(toolResults(request).at(-1)).toContain("killed after 1 s (timeout)");
        return { content: "The command hung." };
      },
    );
    const started = Date.now();
    await harness.mention(alice, "wait forever");
    const report = await slack.waitForMessage(channel, (message) => message.text === "$ sleep 600", {
      timeoutMs: 15_000,
    });
    expect(JSON.stringify(report.blocks)).toContain("killed at its timeout");
    await slack.waitForMessage(channel, (message) => message.text === "The command hung.", {
      timeoutMs: 15_000,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    model.assertDone();
  });

  it("reads a message posted during a running turn before its next model call", async () => {
    const { slack, model } = harness;
    let root = "";
    model.script(
      { toolCalls: [{ name: "run_command", arguments: { command: "sleep 1.5; echo slow done" } }] },
      (request) => {
        const users = request.body.messages
          .filter((message) => message.role === "user")
          .map((m) => String(m.content));
        expect(users.at(-1)).toContain(`<@${bob}> wrote: also check the disk`);
        return { content: "Checked both." };
      },
    );
    root = await harness.mention(alice, "check the service");
    await slack.waitForMessage(
      channel,
      (message) => message.text.includes("Thinking") || message.text.includes("running"),
      {
        timeoutMs: 10_000,
      },
    );
    await harness.reply(bob, "also check the disk", root);
    await slack.waitForMessage(channel, (message) => message.text === "Checked both.", { timeoutMs: 15_000 });
    expect(model.chatRequests).toHaveLength(2);
    model.assertDone();
  });

  it("retries model HTTP errors with backoff, then reports the failure in the thread", async () => {
    const { slack, model } = harness;
    model.script({ httpError: 500 }, { httpError: 503 });
    await harness.mention(alice, "anything");
    const failure = await slack.waitForMessage(
      channel,
      (message) => message.text.includes("The model API failed"),
      {
        timeoutMs: 15_000,
      },
    );
    expect(failure.text).toContain("HTTP 503");
    expect(failure.text).toContain("Reply in this thread to try again.");
    model.assertDone();
  });

  it("stops at the step limit and says how to continue", async () => {
    const { slack, model } = harness;
    const again = { toolCalls: [{ name: "run_command", arguments: { command: "true" } }] };
    model.script(again, again, again, again);
    await harness.mention(alice, "loop");
    const limit = await slack.waitForMessage(
      channel,
      (message) => message.text.includes("the limit for one turn"),
      {
        timeoutMs: 15_000,
      },
    );
    expect(limit.text).toContain("after 4 steps");
    model.assertDone();
  });
});
