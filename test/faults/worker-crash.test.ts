import { afterEach, describe, expect, it } from "vitest";
import type { ChatRequest } from "../fakes/openai/fake-openai.ts";
import { channel, type FaultRig, startFaultRig } from "./worker-processes.ts";

const alice = "U0ALICE";

function lastToolResult(request: ChatRequest): string {
  return String(request.body.messages.filter((message) => message.role === "tool").at(-1)?.content ?? "");
}

describe("worker crashes and restarts", () => {
  let rig: FaultRig;
  afterEach(async () => {
    await rig.close();
  });

  it("resumes a turn on another worker after SIGKILL mid-command, without running the command again", async () => {
    rig = await startFaultRig();
    const { slack, model } = rig;
    const command = "echo started >> runs.log; sleep 30; echo finished >> runs.log";
    model.script(
      { toolCalls: [{ name: "run_command", arguments: { command } }] },
      (request) => {
        expect(lastToolResult(request)).toContain("It was NOT re-run");
        return { toolCalls: [{ name: "run_command", arguments: { command: "cat runs.log" } }] };
      },
      (request) => {
        expect(lastToolResult(request)).toBe("exit code 0\nstdout:\nstarted\n");
        return { content: "The first run was interrupted; it ran once." };
      },
    );
    const first = rig.startWorker();
    await rig.mention(alice, "run the slow job");
    await slack.waitForMessage(channel, (message) => message.text.includes("running `echo started"), {
      timeoutMs: 20_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    first.child.kill("SIGKILL");
    await first.exited;
    const killedAt = Date.now();

    rig.startWorker();
    const notice = await slack.waitForMessage(
      channel,
      (message) => message.text.includes("A worker stopped while"),
      {
        timeoutMs: 30_000,
      },
    );
    expect(notice.text).toContain("it was not run again");
    await slack.waitForMessage(channel, (message) => message.text.includes("it ran once"), {
      timeoutMs: 30_000,
    });
    expect(Date.now() - killedAt).toBeLessThan(25_000);
    model.assertDone();
  });

  it("hands a turn over on SIGTERM: the running step finishes, the worker exits 0, the next worker continues", async () => {
    rig = await startFaultRig();
    const { slack, model } = rig;
    model.script(
      { toolCalls: [{ name: "run_command", arguments: { command: "sleep 2; echo step-one >> steps.log" } }] },
      (request) => {
        expect(lastToolResult(request)).toBe("exit code 0");
        return { toolCalls: [{ name: "run_command", arguments: { command: "cat steps.log" } }] };
      },
      (request) => {
        expect(lastToolResult(request)).toBe("exit code 0\nstdout:\nstep-one\n");
        return { content: "Both steps done across two workers." };
      },
    );
    const first = rig.startWorker();
    await rig.mention(alice, "two steps please");
    await slack.waitForMessage(channel, (message) => message.text.includes("running `sleep 2"), {
      timeoutMs: 20_000,
    });
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    rig.startWorker();
    await slack.waitForMessage(
      channel,
      (message) => message.text.includes("Both steps done across two workers."),
      {
        timeoutMs: 30_000,
      },
    );
    model.assertDone();
  });
});
