import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { type DiscordHarness, startDiscordHarness } from "./discord-harness.ts";

function customIdOf(message: { components: unknown[] } | undefined, kind: string): string | undefined {
  const text = JSON.stringify(message?.components ?? []);
  return text.match(new RegExp(`"custom_id":"(${kind}:[^"]+)"`))?.[1];
}

function lastToolResult(request: ChatRequest): string {
  return String(request.body.messages.filter((message) => message.role === "tool").at(-1)?.content ?? "");
}

describe("Discord status buttons", () => {
  let harness: DiscordHarness;
  beforeEach(async () => {
    harness = await startDiscordHarness();
  });
  afterEach(async () => {
    await harness.close();
  });

  it("stops a running command with the Stop button, then ends the session and its sandbox with End session", async () => {
    const { discord, model, alice } = harness;
    model.script({ toolCalls: [{ name: "run_command", arguments: { command: "sleep 60" } }] }, (request) => {
      expect(lastToolResult(request)).toContain(`Stopped by <@${alice.id}>`);
      return { content: "Stopped as asked." };
    });
    const mention = harness.mention(alice, "wait for a long time");
    const thread = await harness.threadOf(mention.id);
    const status = await discord.waitFor(
      () =>
        discord
          .messages(thread)
          .find((m) => m.content.includes("running `sleep 60`") && customIdOf(m, "stop")),
      { timeoutMs: 20_000, description: "a running status with Stop" },
    );
    const stopClick = discord.click(alice, status.id, customIdOf(status, "stop") ?? "");
    await discord.waitFor(() => stopClick.callbacks[0], { timeoutMs: 3000 });
    const stopped = await discord.waitFor(
      () => {
        const message = discord.message(status.id);
        return message?.content.includes("Stopped by") ? message : undefined;
      },
      { timeoutMs: 10_000, description: "the status saying who stopped it" },
    );
    expect(customIdOf(stopped, "stop")).toBeUndefined();

    discord.say(alice, thread, "are you there?");
    await discord.waitForMessage(thread, (m) => m.content.includes("Stopped as asked."), {
      timeoutMs: 20_000,
    });
    const final = await discord.waitFor(() => discord.messages(thread).find((m) => customIdOf(m, "end")), {
      timeoutMs: 20_000,
      description: "a final status with End session",
    });
    const sandboxName =
      harness.app.sandboxes?.nameFor(`discord:${discord.guildId}:${discord.channelId}:${thread}`) ?? "";
    expect(await harness.app.sandboxes?.ownedNames()).toContain(sandboxName);
    const endClick = discord.click(alice, final.id, customIdOf(final, "end") ?? "");
    await discord.waitFor(() => endClick.callbacks[0], { timeoutMs: 3000 });
    await discord.waitForMessage(thread, (m) => m.content.startsWith("Session ended by"), {
      timeoutMs: 10_000,
    });
    expect(await harness.app.sandboxes?.ownedNames()).not.toContain(sandboxName);
    model.assertDone();
  });
});
