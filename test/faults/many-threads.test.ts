import { afterEach, describe, expect, it } from "vitest";
import { type SlackHarness, startSlackHarness } from "../e2e/slack-harness.ts";
import type { ChatRequest, StaticStep } from "../fakes/openai/fake-openai.ts";

const threads = 50;

/** Each thread's model answers are derived from that thread's own request, so a mix-up shows. */
function answerFor(request: ChatRequest): StaticStep {
  const messages = request.body.messages;
  const asked = String(messages.find((message) => message.role === "user")?.content ?? "").match(
    /thread (\d+)/,
  )?.[1];
  const tool = messages.filter((message) => message.role === "tool").at(-1);
  if (!tool)
    return {
      toolCalls: [
        { name: "run_command", arguments: { command: `echo marker-${asked} > mine.txt; cat mine.txt` } },
      ],
    };
  return { content: `thread ${asked} saw ${String(tool.content).match(/marker-\d+/)?.[0]}` };
}

describe("fifty threads at once", () => {
  let harness: SlackHarness;
  afterEach(async () => {
    await harness.close();
  });

  it("answers every thread in its own thread from its own sandbox, none mixed up", async () => {
    harness = await startSlackHarness((config) => {
      config.queue.concurrency = 8;
    });
    const { slack, model } = harness;
    model.script(...Array.from({ length: threads * 2 }, () => answerFor));
    const roots = await Promise.all(
      Array.from({ length: threads }, (_, index) =>
        harness.mention(`U0USER${index}`, `thread ${index}: check`),
      ),
    );
    for (const [index, root] of roots.entries()) {
      const answer = await slack.waitForMessage(
        "C0INCIDENT",
        (message) => message.thread_ts === root && message.text.startsWith(`thread ${index} saw`),
        { timeoutMs: 90_000 },
      );
      expect(answer.text).toBe(`thread ${index} saw marker-${index}`);
    }
    model.assertDone();
  }, 120_000);
});
