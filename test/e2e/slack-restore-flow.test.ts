import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { channel, restoreValueOf, type SlackHarness, startSlackHarness } from "./slack-harness.ts";

const alice = "U0ALICE";
const mallory = "U0MALLORY";

/** A listing of a tree that changes when any byte, mode, link target or entry changes. */
const treeFingerprint =
  "cd app && find . -printf '%p %y %m %l\\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum";

function lastToolResult(request: ChatRequest): string {
  const tool = request.body.messages.filter((message) => message.role === "tool").at(-1);
  return String(tool?.content ?? "");
}

describe("a Slack thread as an agent session", () => {
  let harness: SlackHarness;
  beforeEach(async () => {
    harness = await startSlackHarness();
  });
  afterEach(async () => {
    await harness.close();
  });

  it("checkpoints before rm -rf, posts a Restore button, and restores the files byte for byte when a participant clicks it", async () => {
    const { slack, model } = harness;
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

    const root = await harness.mention(alice, "set up the app folder, then clean it up");

    const checkpoint = await slack.waitForMessage(
      channel,
      (message) => restoreValueOf(message) !== undefined,
      {
        timeoutMs: 20_000,
      },
    );
    expect(checkpoint.thread_ts).toBe(root);
    expect(checkpoint.text).toContain("rm -rf app");
    await slack.waitForMessage(channel, (message) => message.text.includes("I removed the app folder."), {
      timeoutMs: 20_000,
    });
    expect(fingerprintBefore).toContain("exit code 0");
    expect(fingerprintBefore).toContain("./current l 777 config.yaml");

    const sandbox = await harness.sandboxOf(root);
    expect((await sandbox.exec("test -e app")).exitCode).toBe(1);

    expect(await harness.click(alice, checkpoint, restoreValueOf(checkpoint) ?? "")).toBe(200);
    const restored = await slack.waitForMessage(
      channel,
      (message) => message.ts === checkpoint.ts && message.text.startsWith("Restored to before `rm -rf app`"),
      { timeoutMs: 20_000 },
    );
    expect(restored.text).toMatch(
      new RegExp(`^Restored to before \`rm -rf app\` by <@${alice}> in \\d+ ms$`),
    );

    const after = await sandbox.exec(treeFingerprint);
    expect(`exit code 0\nstdout:\n${after.stdout}`).toBe(fingerprintBefore);
    model.assertDone();
    slack.assertNoUnexpectedCalls();
  });

  it("refuses a Restore click by someone outside the session, privately, and changes nothing", async () => {
    const { slack, model } = harness;
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
    const root = await harness.mention(alice, "clean the build");
    const checkpoint = await slack.waitForMessage(
      channel,
      (message) => restoreValueOf(message) !== undefined,
      {
        timeoutMs: 20_000,
      },
    );
    await slack.waitForMessage(channel, (message) => message.text.includes("Cleaned the build."), {
      timeoutMs: 20_000,
    });

    expect(await harness.click(mallory, checkpoint, restoreValueOf(checkpoint) ?? "")).toBe(200);
    const refusal = await slack.waitFor(
      () => slack.ephemerals(channel).find((ephemeral) => ephemeral.user === mallory),
      {
        timeoutMs: 10_000,
      },
    );
    expect(refusal.text).toContain("Only people taking part in this session can restore");
    const stored = slack.messages(channel).find((message) => message.ts === checkpoint.ts);
    expect(stored?.history).toEqual([]);
    expect(restoreValueOf(stored ?? {})).toBeDefined();
    const sandbox = await harness.sandboxOf(root);
    expect((await sandbox.exec("test -e build")).exitCode).toBe(1);
  });
});
