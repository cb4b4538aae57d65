import { afterEach, describe, expect, it } from "vitest";
import type { ChatRequest, StaticStep } from "../fakes/openai/fake-openai.ts";
import { channel, type SlackHarness, startSlackHarness } from "./slack-harness.ts";

describe("fairness between users", () => {
  let harness: SlackHarness;
  afterEach(async () => {
    await harness.close();
  });

  it("holds a user's second turn until their first ends, while another user's turn runs meanwhile", async () => {
    harness = await startSlackHarness((config) => {
      config.queue.maxTurnsPerUser = 1;
      config.queue.concurrency = 4;
    });
    const started = new Map<string, number>();
    const answered = new Map<string, number>();
    const step = (request: ChatRequest): StaticStep => {
      const first = String(request.body.messages.find((message) => message.role === "user")?.content ?? "");
      const label = first.match(/task (\w+)/)?.[1] ?? "?";
      if (!request.body.messages.some((message) => message.role === "tool")) {
        started.set(label, Date.now());
        return { toolCalls: [{ name: "run_command", arguments: { command: "sleep 3" } }] };
      }
      answered.set(label, Date.now());
      return { content: `finished task ${label}` };
    };
    harness.model.script(step, step, step, step, step, step);
    await harness.mention("U0ALICE", "task alpha");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all([harness.mention("U0ALICE", "task beta"), harness.mention("U0BOB", "task gamma")]);
    for (const label of ["alpha", "beta", "gamma"]) {
      await harness.slack.waitForMessage(channel, (message) => message.text === `finished task ${label}`, {
        timeoutMs: 30_000,
      });
    }
    const at = (map: Map<string, number>, label: string) => map.get(label) ?? Number.NaN;
    expect(at(started, "gamma")).toBeLessThan(at(answered, "alpha"));
    expect(at(started, "beta")).toBeGreaterThanOrEqual(at(answered, "alpha"));
    harness.model.assertDone();
  }, 60_000);
});
