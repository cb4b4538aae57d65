import { afterEach, describe, expect, it } from "vitest";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { type FakeSpritesServer, startFakeSprites } from "../fakes/sprites/fake-sprites-server.ts";
import { channel, type SlackHarness, startSlackHarness } from "./slack-harness.ts";

function lastToolResult(request: ChatRequest): string {
  return String(request.body.messages.filter((message) => message.role === "tool").at(-1)?.content ?? "");
}

describe("a sandbox that vanishes underneath", () => {
  let harness: SlackHarness;
  let sprites: FakeSpritesServer;
  afterEach(async () => {
    await harness.close();
    await sprites.close();
  });

  it("tells the thread and the model, and the next command runs in a fresh sandbox", async () => {
    sprites = await startFakeSprites();
    harness = await startSlackHarness((config) => {
      config.SANDBOX_PROVIDER = "sprites";
      config.SPRITES_TOKEN = sprites.token;
      config.SPRITES_API_URL = sprites.url;
    });
    const { slack, model } = harness;
    model.script(
      { toolCalls: [{ name: "run_command", arguments: { command: "echo before > notes.txt" } }] },
      { content: "Wrote the notes." },
      { toolCalls: [{ name: "run_command", arguments: { command: "cat notes.txt" } }] },
      (request) => {
        expect(lastToolResult(request)).toMatch(/no longer exists/);
        return {
          toolCalls: [{ name: "run_command", arguments: { command: "test -e notes.txt || echo fresh" } }],
        };
      },
      (request) => {
        expect(lastToolResult(request)).toContain("fresh");
        return { content: "The sandbox was replaced; the notes are gone." };
      },
    );
    const root = await harness.mention("U0ALICE", "write notes");
    await slack.waitForMessage(channel, (m) => m.text === "Wrote the notes.", { timeoutMs: 20_000 });
    for (const name of sprites.spriteNames()) await sprites.deleteUnderneath(name);

    await harness.reply("U0ALICE", "read the notes back", root);
    const notice = await slack.waitForMessage(channel, (m) => m.text.includes("sandbox disappeared"), {
      timeoutMs: 20_000,
    });
    expect(notice.thread_ts).toBe(root);
    await slack.waitForMessage(channel, (m) => m.text === "The sandbox was replaced; the notes are gone.", {
      timeoutMs: 20_000,
    });
    model.assertDone();
  });
});
