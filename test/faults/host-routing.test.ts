import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatRequest, StaticStep } from "../fakes/openai/fake-openai.ts";
import { channel, type FaultRig, startFaultRig } from "./worker-processes.ts";

const threads = 6;

/** Turn 1 leaves a marker in the thread's sandbox; turn 2 reads it back: only its own host can. */
function step(request: ChatRequest): StaticStep {
  const users = request.body.messages
    .filter((message) => message.role === "user")
    .map((m) => String(m.content));
  const id = users[0]?.match(/thread (\d+)/)?.[1] ?? "?";
  const last = request.body.messages.at(-1);
  if (last?.role === "tool")
    return { content: `thread ${id} turn ${users.length}: ${String(last.content).trim()}` };
  const command = users.length === 1 ? `echo marker-${id} > mine.txt` : "cat mine.txt";
  return { toolCalls: [{ name: "run_command", arguments: { command } }] };
}

describe("local sandboxes on several worker hosts", () => {
  let rig: FaultRig;
  const dataDirs: string[] = [];
  afterEach(async () => {
    await rig.close();
    for (const dir of dataDirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("routes every turn of a thread to the host that holds its sandbox", async () => {
    rig = await startFaultRig();
    for (const host of ["host-a", "host-b"]) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `threadhands-${host}-`));
      dataDirs.push(dataDir);
      rig.startWorker({ THREADHANDS_HOST_ID: host, THREADHANDS_DATA_DIR: dataDir });
    }
    rig.model.script(...Array.from({ length: threads * 4 }, () => step));
    const roots = await Promise.all(
      Array.from({ length: threads }, (_, n) => rig.mention(`U0USER${n}`, `thread ${n}: go`)),
    );
    for (const [n, root] of roots.entries()) {
      await rig.slack.waitForMessage(
        channel,
        (m) => m.thread_ts === root && m.text.startsWith(`thread ${n} turn 1`),
        {
          timeoutMs: 60_000,
        },
      );
    }
    await Promise.all(roots.map((root, n) => rig.reply(`U0USER${n}`, "read it back", root)));
    for (const [n, root] of roots.entries()) {
      const answer = await rig.slack.waitForMessage(
        channel,
        (m) => m.thread_ts === root && m.text.startsWith(`thread ${n} turn 2`),
        { timeoutMs: 60_000 },
      );
      expect(answer.text).toBe(`thread ${n} turn 2: exit code 0\nstdout:\nmarker-${n}`);
    }
    const perHost = await Promise.all(
      dataDirs.map(async (dir) =>
        (await readdir(path.join(dir, "sandboxes"))).filter((name) => !name.startsWith(".")),
      ),
    );
    expect(perHost.map((names) => names.length).reduce((a, b) => a + b, 0)).toBe(threads);
    expect(perHost.every((names) => names.length > 0)).toBe(true);
    rig.model.assertDone();
  }, 150_000);
});
