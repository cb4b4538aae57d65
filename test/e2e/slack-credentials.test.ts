import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createScrubber } from "../../src/credentials/scrubber.ts";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { alice, bob, type CredentialsRig, sentinel, startCredentialsRig } from "./credentials-rig.ts";
import { fileLeaks, leakForms, redisLeaks } from "./secret-scan.ts";
import { buttonValue, channel, type SlackHarness } from "./slack-harness.ts";

function lastToolResult(request: ChatRequest): string {
  return String(request.body.messages.filter((message) => message.role === "tool").at(-1)?.content ?? "");
}

/** Runs a command that prints the token every way it can; proves it came out nowhere. */
async function provesNoLeak(rig: CredentialsRig): Promise<void> {
  const { harness } = rig;
  const { slack, model } = harness;
  const printIt =
    'echo "$GH_TOKEN"; echo "$GITHUB_TOKEN" | base64; printf %s "$GH_TOKEN" | od -An -tx1 | tr -d " \\n"; echo; env | grep -i token';
  model.script(
    { toolCalls: [{ name: "run_command", arguments: { command: printIt, credentials: ["github"] } }] },
    (request) => {
      expect(lastToolResult(request)).toContain("[redacted]");
      return {
        toolCalls: [{ name: "run_command", arguments: { command: 'echo "token here: [$GH_TOKEN]"' } }],
      };
    },
    (request) => {
      // Without `credentials` the next command has no token at all.
      expect(lastToolResult(request)).toContain("token here: []");
      return { content: `Here it is: ${sentinel}` };
    },
  );
  const root = await harness.mention(alice, "print my GitHub token every way you can");
  const audit = await slack.waitForMessage(channel, (message) => message.text.includes("ran as"), {
    timeoutMs: 20_000,
  });
  expect(audit.text).toContain(`ran as <@${alice}> with Github`);
  const answer = await slack.waitForMessage(channel, (message) => message.text.startsWith("Here it is:"), {
    timeoutMs: 20_000,
  });
  expect(answer.text).toBe("Here it is: [redacted]");
  expect(answer.thread_ts).toBe(root);
  model.assertDone();

  for (const form of leakForms(sentinel)) {
    expect(JSON.stringify(slack.calls)).not.toContain(form);
    expect(JSON.stringify(slack.ephemerals(channel))).not.toContain(form);
    expect(harness.logLines.join("\n")).not.toContain(form);
    expect(JSON.stringify(rig.sprites?.requests ?? [])).not.toContain(form);
  }
  const scrub = createScrubber([sentinel]);
  expect(model.chatRequests.filter((request) => scrub.scrub(request.rawBody) !== request.rawBody)).toEqual(
    [],
  );
  expect(await redisLeaks(harness.redis, harness.prefix, sentinel)).toEqual([]);
  for (const root of rig.sandboxRoots) expect(await fileLeaks(root, sentinel)).toEqual([]);
}

describe("a linked token on a Sprite", () => {
  let rig: CredentialsRig;
  afterEach(async () => {
    await rig.close();
  });

  it("is injected into the command over stdin and shows up in no URL, header, file, log, message or model request", async () => {
    rig = await startCredentialsRig("sprites");
    await rig.linkAlice();
    await provesNoLeak(rig);
  });
});

describe("linked accounts in a Slack thread", () => {
  let rig: CredentialsRig;
  let harness: SlackHarness;

  beforeEach(async () => {
    rig = await startCredentialsRig();
    harness = rig.harness;
  });
  afterEach(async () => {
    await rig.close();
  });

  const linkAlice = () => rig.linkAlice();

  it("injects Alice's token into her command only, and it shows up nowhere: not in Redis, jobs, logs, chat, model requests or sandbox files", async () => {
    await linkAlice();
    await provesNoLeak(rig);
  });

  it("waits for the token owner's Approve before a destructive credentialed command, refusing anyone else's click", async () => {
    await linkAlice();
    const { slack, model } = harness;
    const command = 'mkdir -p old && rm -rf old && echo "pushed-as-$([ -n "$GH_TOKEN" ] && echo alice)"';
    model.script(
      { toolCalls: [{ name: "run_command", arguments: { command, credentials: ["github"] } }] },
      (request) => {
        expect(lastToolResult(request)).toContain("pushed-as-alice");
        return { content: "Pushed after Alice approved." };
      },
    );
    const root = await harness.mention(alice, "force-push the fix");
    const approval = await slack.waitForMessage(
      channel,
      (message) => message.text.startsWith("Approval needed"),
      {
        timeoutMs: 20_000,
      },
    );
    expect(approval.thread_ts).toBe(root);
    await slack.waitForMessage(channel, (message) => message.text.includes("Waiting for approval"), {
      timeoutMs: 10_000,
    });
    expect(model.chatRequests).toHaveLength(1);

    const approvalId = buttonValue(approval, "approve_command");
    expect(await harness.click(bob, approval, approvalId, "approve_command")).toBe(200);
    const refusal = await slack.waitFor(() => slack.ephemerals(channel).find((e) => e.user === bob), {
      timeoutMs: 10_000,
    });
    expect(refusal.text).toContain(`Only <@${alice}> can approve`);
    expect(model.chatRequests).toHaveLength(1);
    expect(slack.messages(channel).find((message) => message.ts === approval.ts)?.history).toEqual([]);

    expect(await harness.click(alice, approval, approvalId, "approve_command")).toBe(200);
    await slack.waitForMessage(channel, (message) => message.text === "Pushed after Alice approved.", {
      timeoutMs: 20_000,
    });
    const decided = slack.messages(channel).find((message) => message.ts === approval.ts);
    expect(decided?.text).toBe(`Approved by <@${alice}>: \`${command}\``);
    expect(slack.messages(channel).some((message) => message.text.includes(`ran as <@${alice}>`))).toBe(true);
    model.assertDone();
  });

  it("tells the model when the owner denies, and runs nothing", async () => {
    await linkAlice();
    const { slack, model } = harness;
    model.script(
      {
        toolCalls: [
          { name: "run_command", arguments: { command: "rm -rf releases", credentials: ["github"] } },
        ],
      },
      (request) => {
        expect(lastToolResult(request)).toBe("Not run: the account's owner denied this command.");
        return { content: "Understood, I will not delete them." };
      },
    );
    await harness.mention(alice, "clean up releases");
    const approval = await slack.waitForMessage(
      channel,
      (message) => message.text.startsWith("Approval needed"),
      {
        timeoutMs: 20_000,
      },
    );
    await harness.click(alice, approval, buttonValue(approval, "deny_command"), "deny_command");
    await slack.waitForMessage(channel, (message) => message.text === "Understood, I will not delete them.", {
      timeoutMs: 20_000,
    });
    expect(slack.messages(channel).some((message) => message.text.includes("ran as"))).toBe(false);
    model.assertDone();
  });

  it("runs Bob's request with Bob's account, and tells him and the model when he has not linked one", async () => {
    await linkAlice();
    const { slack, model } = harness;
    model.script(
      { content: "Alice's part is done." },
      { toolCalls: [{ name: "run_command", arguments: { command: "gh pr list", credentials: ["github"] } }] },
      (request) => {
        expect(lastToolResult(request)).toContain(`<@${bob}> has not linked GitHub`);
        return { content: "Bob needs to link GitHub first." };
      },
    );
    const root = await harness.mention(alice, "look at the incident");
    await slack.waitForMessage(channel, (message) => message.text === "Alice's part is done.", {
      timeoutMs: 20_000,
    });
    await harness.reply(bob, "now list my PRs", root);
    const notice = await slack.waitForMessage(
      channel,
      (message) => message.text.includes("has not linked GitHub"),
      {
        timeoutMs: 20_000,
      },
    );
    expect(notice.text).toContain(`<@${bob}>`);
    expect(notice.text).not.toContain("http");
    await slack.waitForMessage(channel, (message) => message.text === "Bob needs to link GitHub first.", {
      timeoutMs: 20_000,
    });
    model.assertDone();
  });
});
