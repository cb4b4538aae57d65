import { afterEach, describe, expect, it } from "vitest";
import { createKeyspace } from "../../queue/redis-keys.ts";
import { createRedisSessionStore } from "../../queue/redis-session-store.ts";
import { threadKey } from "../../src/chat/thread.ts";
import { sweepOrphanSandboxes } from "../../src/session/sandbox-lifecycle.ts";
import { postSlackEvent } from "../fakes/slack/signed-requests.ts";
import {
  buttonValue,
  channel,
  type SlackHarness,
  signingSecret,
  startSlackHarness,
} from "./slack-harness.ts";

const alice = "U0ALICE";

describe("sandbox lifecycles", () => {
  let harness: SlackHarness;
  afterEach(async () => {
    await harness.close();
  });

  const keyOf = (root: string) =>
    threadKey({ platform: "slack", workspace: harness.slack.teamId, channel, thread: root });

  async function runOneTurn(
    text: string,
    command: string,
    answer: string,
    threadTs?: string,
  ): Promise<string> {
    harness.model.script(
      { toolCalls: [{ name: "run_command", arguments: { command } }] },
      { content: answer },
    );
    const root = threadTs ?? (await harness.mention(alice, text));
    if (threadTs) await harness.reply(alice, text, threadTs);
    await harness.slack.waitForMessage(channel, (message) => message.text === answer, { timeoutMs: 20_000 });
    return root;
  }

  it("ends an ephemeral session with its End session button and destroys the sandbox", async () => {
    harness = await startSlackHarness();
    const { slack, app } = harness;
    const root = await runOneTurn("make a file", "echo kept > notes.txt", "Wrote it.");
    const status = await slack.waitForMessage(channel, (message) => message.text.startsWith("Done in"), {
      timeoutMs: 10_000,
    });
    const endId = buttonValue(status, "end_session");
    expect(endId).not.toBe("");
    const name = app.sandboxes?.nameFor(keyOf(root)) ?? "";
    expect(await app.sandboxes?.ownedNames()).toContain(name);

    expect(await harness.click(alice, status, endId, "end_session")).toBe(200);
    const notice = await slack.waitForMessage(
      channel,
      (message) => message.text.startsWith("Session ended by"),
      {
        timeoutMs: 10_000,
      },
    );
    expect(notice.text).toContain("Its sandbox was destroyed.");
    expect(await app.sandboxes?.ownedNames()).not.toContain(name);
    expect(await harness.redis.exists(`${harness.prefix}:{${keyOf(root)}}:session`)).toBe(0);
    expect(buttonValue(slack.messages(channel).find((m) => m.ts === status.ts) ?? {}, "end_session")).toBe(
      "",
    );
  });

  it("ends an idle ephemeral session on its timer", async () => {
    harness = await startSlackHarness((config) => {
      config.sandbox.idleMinutes = 0.02; // 1.2 s
    });
    const root = await runOneTurn("make a file", "echo x > a.txt", "Done quickly.");
    const notice = await harness.slack.waitForMessage(
      channel,
      (m) => m.text.startsWith("Session ended after"),
      {
        timeoutMs: 15_000,
      },
    );
    expect(notice.thread_ts).toBe(root);
    expect(await harness.app.sandboxes?.find(keyOf(root))).toBeUndefined();
  });

  it("ends the session and destroys the sandbox when Slack says the thread's root was deleted", async () => {
    harness = await startSlackHarness();
    const root = await runOneTurn("make a file", "echo x > a.txt", "Made it.");
    const name = harness.app.sandboxes?.nameFor(keyOf(root)) ?? "";
    await postSlackEvent(harness.eventsUrl, signingSecret, {
      type: "message",
      subtype: "message_deleted",
      hidden: true,
      channel,
      ts: `${Math.floor(Date.now() / 1000)}.000200`,
      deleted_ts: root,
      event_ts: `${Math.floor(Date.now() / 1000)}.000200`,
      channel_type: "channel",
      previous_message: { type: "message", user: alice, text: "make a file", ts: root },
    });
    await harness.slack.waitFor(async () => !(await harness.app.sandboxes?.ownedNames())?.includes(name), {
      timeoutMs: 10_000,
    });
    expect(harness.slack.messages(channel).some((message) => message.text.startsWith("Session ended"))).toBe(
      false,
    );
  });

  it("keeps a persistent sandbox per channel across sessions, and says which one and its state", async () => {
    harness = await startSlackHarness((config) => {
      config.sandbox.lifecycle = "persistent";
      config.sandbox.scope = "channel";
    });
    const { slack } = harness;
    await runOneTurn("install the tool", "mkdir -p tools && echo v1 > tools/version", "Installed.");
    expect(slack.messages(channel).some((m) => m.text.includes("(new, creating it)"))).toBe(true);
    const done = slack.messages(channel).find((m) => m.text.startsWith("Done in"));
    expect(buttonValue(done ?? {}, "end_session")).toBe("");

    harness.model.script(
      { toolCalls: [{ name: "run_command", arguments: { command: "cat tools/version" } }] },
      (request) => {
        const tool = request.body.messages.filter((message) => message.role === "tool").at(-1);
        expect(String(tool?.content)).toContain("v1");
        return { content: "The tool is still there." };
      },
    );
    await harness.mention(alice, "is the tool still installed?");
    await slack.waitForMessage(channel, (m) => m.text === "The tool is still there.", { timeoutMs: 20_000 });
    expect(
      slack.messages(channel).some((m) => /Using the persistent sandbox `[^`]+` \(warm\)/.test(m.text)),
    ).toBe(true);
    harness.model.assertDone();
  });

  it("sweeps sandboxes whose session is gone after a crash, and only those", async () => {
    harness = await startSlackHarness();
    const kept = await runOneTurn("first", "echo 1 > a.txt", "First done.");
    const orphan = await runOneTurn("second", "echo 2 > b.txt", "Second done.");
    const sandboxes = harness.app.sandboxes;
    if (!sandboxes) throw new Error("no sandboxes");
    // The turn saves the session once more before its final status: wait for that, then lose it
    // as a crash (or its expiry) would, leaving the sandbox behind.
    await harness.slack.waitForMessage(
      channel,
      (m) => m.thread_ts === orphan && m.text.startsWith("Done in"),
      {
        timeoutMs: 10_000,
      },
    );
    await harness.redis.del(`${harness.prefix}:{${keyOf(orphan)}}:session`);
    const store = createRedisSessionStore(harness.redis, createKeyspace(harness.prefix));
    const swept = await sweepOrphanSandboxes({
      store,
      sandboxes,
      policy: { lifecycle: "ephemeral", scope: "thread", idleMs: 60_000 },
    });
    expect(swept).toEqual([sandboxes.nameFor(keyOf(orphan))]);
    expect(await sandboxes.ownedNames()).toEqual([sandboxes.nameFor(keyOf(kept))]);
  });
});
