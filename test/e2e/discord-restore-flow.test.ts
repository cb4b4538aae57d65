import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { type DiscordHarness, restoreIdOf, startDiscordHarness } from "./discord-harness.ts";

/** A listing of a tree that changes when any byte, mode, link target or entry changes. */
const treeFingerprint =
  "cd app && find . -printf '%p %y %m %l\\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum";

function lastToolResult(request: ChatRequest): string {
  const tool = request.body.messages.filter((message) => message.role === "tool").at(-1);
  return String(tool?.content ?? "");
}

describe("a Discord thread as an agent session", () => {
  let harness: DiscordHarness;
  beforeEach(async () => {
    harness = await startDiscordHarness();
  });
  afterEach(async () => {
    await harness.close();
  });

  it("starts a thread from a mention, checkpoints before rm -rf, and restores the files byte for byte when a participant clicks Restore", async () => {
    const { discord, model, alice } = harness;
    let fingerprintBefore = "";
    model.script(
      {
        toolCalls: [
          {
            name: "write_file",
            arguments: { path: "app/config.yaml", content: "replicas: 3\nimage: web:1.4.2\n" },
          },
          {
            name: "run_command",
            arguments: {
              command:
                "mkdir -p app/data app/empty && head -c 4096 /dev/urandom > app/data/blob.bin && chmod 640 app/data/blob.bin && ln -s config.yaml app/current && printf '#!/bin/sh\\necho ok\\n' > app/run.sh && chmod 755 app/run.sh",
            },
          },
        ],
      },
      { toolCalls: [{ name: "run_command", arguments: { command: treeFingerprint } }] },
      (request) => {
        fingerprintBefore = lastToolResult(request);
        return { toolCalls: [{ name: "run_command", arguments: { command: "rm -rf app" } }] };
      },
      { content: "I removed the app folder." },
    );

    const mention = harness.mention(alice, "set up the app folder, then clean it up");
    const thread = await harness.threadOf(mention.id);
    expect(discord.callsTo("POST /channels/{channel}/messages/{message}/threads")[0]?.path).toBe(
      `/channels/${discord.channelId}/messages/${mention.id}/threads`,
    );

    const checkpoint = await harness.checkpointIn(thread);
    expect(checkpoint.content).toContain("rm -rf app");
    await discord.waitForMessage(thread, (message) => message.content.includes("I removed the app folder."), {
      timeoutMs: 20_000,
    });
    expect(fingerprintBefore).toContain("exit code 0");
    expect(fingerprintBefore).toContain("./current l 777 config.yaml");
    // The user's request reached the model without the mention markup.
    expect(JSON.stringify(model.chatRequests[0]?.body.messages)).toContain("wrote: set up the app folder");

    const sandbox = await harness.sandboxOf(thread);
    expect((await sandbox.exec("test -e app")).exitCode).toBe(1);

    const click = discord.click(alice, checkpoint.id, restoreIdOf(checkpoint) ?? "");
    const ack = await discord.waitFor(() => click.callbacks[0], {
      timeoutMs: 3000,
      description: "the click's ack",
    });
    expect(ack.type).toBe(6);
    expect(ack.at - click.createdAt).toBeLessThan(3000);

    const restored = await discord.waitFor(
      () => {
        const message = discord.message(checkpoint.id);
        return message?.content.startsWith("Restored to before") ? message : undefined;
      },
      { timeoutMs: 20_000, description: "the checkpoint message edited" },
    );
    expect(restored.content).toMatch(
      new RegExp(`^Restored to before \`rm -rf app\` by <@${alice.id}> in \\d+ ms$`),
    );
    expect(restored.components).toEqual([]);
    expect(click.ephemerals).toEqual([]);

    const after = await sandbox.exec(treeFingerprint);
    expect(`exit code 0\nstdout:\n${after.stdout}`).toBe(fingerprintBefore);
    model.assertDone();
    discord.assertNoUnexpectedCalls();
    // Every bot-token call carried the token; no interaction token went anywhere but its own routes.
    for (const call of discord.calls.filter((item) => !item.route.includes("{token}"))) {
      expect(call.headers.authorization).toBe(`Bot ${discord.token}`);
    }
  });

  it("refuses a Restore click by someone outside the session with an ephemeral reply, and changes nothing", async () => {
    const { discord, model, alice, mallory } = harness;
    model.script(
      {
        toolCalls: [
          {
            name: "run_command",
            arguments: { command: "mkdir -p build && echo 1 > build/out && rm -r build" },
          },
        ],
      },
      { content: "Cleaned the build." },
    );
    const thread = await harness.threadOf(harness.mention(alice, "clean the build").id);
    const checkpoint = await harness.checkpointIn(thread);
    await discord.waitForMessage(thread, (message) => message.content.includes("Cleaned the build."), {
      timeoutMs: 20_000,
    });

    const click = discord.click(mallory, checkpoint.id, restoreIdOf(checkpoint) ?? "");
    const answer = await discord.waitFor(() => click.callbacks[0], {
      timeoutMs: 3000,
      description: "the refusal",
    });
    expect(answer.type).toBe(4);
    expect(answer.data?.flags).toBe(64);
    expect(click.ephemerals[0]).toContain("Only people taking part in this session");

    expect(await harness.jobCount("actions")).toBe(0);
    const stored = discord.message(checkpoint.id);
    expect(stored?.history).toEqual([]);
    expect(restoreIdOf(stored ?? { components: [] })).toBeDefined();
    expect((await (await harness.sandboxOf(thread)).exec("test -e build")).exitCode).toBe(1);
    model.assertDone();
  });

  it("runs one turn for a message the gateway delivers twice", async () => {
    const { discord, model, alice } = harness;
    model.script({ content: "The web tier looks healthy." });
    const mention = harness.mention(alice, "how is the web tier?");
    discord.replay(mention.id);
    const thread = await harness.threadOf(mention.id);
    await discord.waitForMessage(thread, (message) => message.content.includes("looks healthy"), {
      timeoutMs: 20_000,
    });
    discord.replay(mention.id);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await harness.jobCount("turns")).toBe(1);
    expect(model.chatRequests).toHaveLength(1);
    expect(
      discord.messages(thread).filter((message) => message.content.includes("looks healthy")),
    ).toHaveLength(1);
    model.assertDone();
  });

  it("continues a thread without a mention, and ignores bot and webhook messages", async () => {
    const { discord, model, alice } = harness;
    model.script({ content: "First look done." }, { content: "The logs are clean." });
    const thread = await harness.threadOf(harness.mention(alice, "first look").id);
    await discord.waitForMessage(thread, (message) => message.content.includes("First look done."), {
      timeoutMs: 20_000,
    });

    const otherBot = { id: discord.addUser("deploy-bot").id, username: "deploy-bot", bot: true };
    discord.say(otherBot, thread, `<@${discord.botUser.id}> deploy finished`);
    discord.say(alice, discord.channelId, "a channel message without a mention");
    discord.say(alice, thread, "now check the logs");
    await discord.waitForMessage(thread, (message) => message.content.includes("The logs are clean."), {
      timeoutMs: 20_000,
    });
    expect(JSON.stringify(model.chatRequests[1]?.body.messages)).toContain("now check the logs");
    expect(JSON.stringify(model.chatRequests[1]?.body.messages)).not.toContain("deploy finished");
    expect(discord.threads()).toHaveLength(1);
    model.assertDone();
  });

  it("resumes the gateway session when Discord drops the socket mid-turn, and the turn completes with what was said meanwhile", async () => {
    const { discord, model, alice } = harness;
    model.script(
      { toolCalls: [{ name: "run_command", arguments: { command: "sleep 3 && echo slept" } }] },
      { content: "Finished after the reconnect." },
    );
    const thread = await harness.threadOf(harness.mention(alice, "run the slow check").id);
    await discord.waitFor(() => model.chatRequests.length === 1, { timeoutMs: 10_000 });

    discord.gateway.dropConnection(4000);
    const said = discord.say(alice, thread, "also look at the cache");
    const resume = await discord.waitFor(
      () =>
        discord.gateway.connections.find((connection) => connection.received.some((frame) => frame.op === 6)),
      { timeoutMs: 10_000, description: "a RESUME" },
    );
    expect(resume.url.startsWith("/gateway-resume?v=10&encoding=json")).toBe(true);
    expect(
      discord.gateway.connections.filter((connection) => connection.received.some((frame) => frame.op === 2)),
    ).toHaveLength(1);

    await discord.waitForMessage(
      thread,
      (message) => message.content.includes("Finished after the reconnect."),
      {
        timeoutMs: 20_000,
      },
    );
    expect(JSON.stringify(model.chatRequests[1]?.body.messages)).toContain("also look at the cache");
    expect(said.id).toBeDefined();
    model.assertDone();
  });
});
