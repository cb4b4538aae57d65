import { describe, expect, it } from "vitest";
import {
  answerBlocks,
  checkpointBlocks,
  commandBlocks,
  restoreActionId,
  sectionTextLimit,
} from "../../bots/slack/slack-blocks.ts";

function sectionTexts(blocks: Array<Record<string, unknown>>): string[] {
  return blocks.flatMap((block) => {
    const text = (block as { text?: { text?: string } }).text?.text;
    return text ? [text] : [];
  });
}

describe("Slack Block Kit rendering", () => {
  it("keeps a command's huge output within one section by showing its head and tail", () => {
    const output = `FIRST LINE\n${"x".repeat(50_000)}\nLAST LINE`;
    const blocks = commandBlocks({
      command: "cat big.log",
      exitCode: 0,
      timedOut: false,
      durationMs: 12,
      output,
      risk: "read",
    });
    for (const text of sectionTexts(blocks)) expect(text.length).toBeLessThanOrEqual(sectionTextLimit);
    const body = sectionTexts(blocks).join("\n");
    expect(body).toContain("FIRST LINE");
    expect(body).toContain("LAST LINE");
    expect(body).toContain("characters cut");
  });

  it("shows a timeout and a non-zero exit plainly", () => {
    const hung = commandBlocks({
      command: "sleep 999",
      exitCode: null,
      timedOut: true,
      durationMs: 1000,
      output: "",
      risk: "read",
    });
    expect(sectionTexts(hung)[0]).toContain("killed at its timeout");
    const failed = commandBlocks({
      command: "false",
      exitCode: 1,
      timedOut: false,
      durationMs: 3,
      output: "",
      risk: "read",
    });
    expect(sectionTexts(failed)[0]).toContain("exit 1");
  });

  it("puts only the opaque restore id on the Restore button", () => {
    const blocks = checkpointBlocks({ restoreId: "r-123", label: "rm -rf app" });
    const actions = blocks.find((block) => block.type === "actions") as unknown as {
      elements: Array<Record<string, unknown>>;
    };
    expect(actions.elements[0]).toMatchObject({ type: "button", action_id: restoreActionId, value: "r-123" });
  });

  it("splits a long answer into sections and never exceeds 50 blocks", () => {
    const blocks = answerBlocks("word ".repeat(100_000));
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const text of sectionTexts(blocks)) expect(text.length).toBeLessThanOrEqual(sectionTextLimit);
  });

  it("turns CommonMark bold and links into Slack mrkdwn", () => {
    const [text] = sectionTexts(answerBlocks("**Root cause**: see [the runbook](https://example.com/rb)"));
    expect(text).toBe("*Root cause*: see <https://example.com/rb|the runbook>");
  });
});
