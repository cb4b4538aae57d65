import { afterEach, describe, expect, it } from "vitest";
import { buttonValue, channel, type SlackHarness, startSlackHarness } from "./slack-harness.ts";

describe("the session budget", () => {
  let harness: SlackHarness;
  afterEach(async () => {
    await harness.close();
  });

  it("pauses with a Continue button when the budget is spent, and goes on when a participant presses it", async () => {
    harness = await startSlackHarness((config) => {
      config.agent.sessionBudget = { steps: 2, tokens: 1_000_000 };
    });
    const { slack, model } = harness;
    const step = { toolCalls: [{ name: "run_command", arguments: { command: "true" } }] };
    model.script(step, step, (request) => {
      const said = request.body.messages
        .filter((message) => message.role === "user")
        .map((m) => String(m.content));
      expect(said.at(-1)).toContain("U0BOB> wrote: keep going please");
      return { content: "Finished on the second budget." };
    });
    const root = await harness.mention("U0ALICE", "do three steps");
    const paused = await slack.waitForMessage(
      channel,
      (message) => message.text.startsWith("Paused: this session used its budget"),
      {
        timeoutMs: 20_000,
      },
    );
    expect(paused.text).toContain("2 model steps");
    expect(model.chatRequests).toHaveLength(2);

    await harness.reply("U0BOB", "keep going please", root);
    await slack.waitFor(
      () => slack.ephemerals(channel).find((e) => e.user === "U0BOB" && e.text.includes("paused")),
      {
        timeoutMs: 10_000,
      },
    );
    expect(model.chatRequests).toHaveLength(2);

    expect(
      await harness.click("U0ALICE", paused, buttonValue(paused, "continue_session"), "continue_session"),
    ).toBe(200);
    await slack.waitForMessage(channel, (message) => message.text === "Finished on the second budget.", {
      timeoutMs: 20_000,
    });
    model.assertDone();
  });
});
