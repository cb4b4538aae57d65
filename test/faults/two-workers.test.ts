import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { type ThreadRef, threadKey } from "../../src/chat/thread.ts";
import { spriteNameForKey } from "../../src/sandbox/sprites/sprite-name.ts";
import type { ChatRequest, StaticStep } from "../fakes/openai/fake-openai.ts";
import { type FakeSpritesServer, startFakeSprites } from "../fakes/sprites/fake-sprites-server.ts";
import { createSpritesTap, type SpritesTap, type TappedExec } from "./sprites-tap.ts";
import { channel, type FaultRig, startFaultRig, type WorkerProcess } from "./worker-processes.ts";

const threads = 12;
const workerNames = ["worker-a", "worker-b"] as const;

/**
 * Derived from the request alone, so it does not matter which worker asks first: a user's word
 * last means "run this thread's next command", a tool result last means "answer with it".
 */
function stepFor(request: ChatRequest): StaticStep {
  const messages = request.body.messages;
  const said = messages.filter(
    (message) => message.role === "user" && /wrote: /.test(String(message.content)),
  );
  const asked = String(said[0]?.content ?? "").match(/thread (\d+)/)?.[1];
  const last = messages.at(-1);
  if (last?.role === "tool") {
    return { content: `thread ${asked} saw ${String(last.content).match(/marker-\d+-\d+/)?.[0]}` };
  }
  const command = `sleep 2; echo marker-${asked}-${said.length}`;
  return { toolCalls: [{ name: "run_command", arguments: { command } }] };
}

/** Which worker ran a turn for which thread, from its own "turn job done" log lines. */
function turnsRan(worker: WorkerProcess): ThreadRef[] {
  return worker
    .logs()
    .filter((line) => line.msg === "turn job done" && line.outcome === "ran")
    .map((line) => line.thread as ThreadRef);
}

/** Pairs of a Sprite's execs whose spans meet: one command started before another answered. */
function overlapping(execs: TappedExec[]): Array<[TappedExec, TappedExec]> {
  const sorted = [...execs].sort((a, b) => a.openedAt - b.openedAt);
  return sorted.flatMap((exec, index) => {
    const next = sorted[index + 1];
    return next && (exec.lastAnswerAt ?? Number.POSITIVE_INFINITY) >= next.openedAt ? [[exec, next]] : [];
  }) as Array<[TappedExec, TappedExec]>;
}

describe("two worker processes on one queue", () => {
  let rig: FaultRig | undefined;
  let sprites: FakeSpritesServer | undefined;
  let tap: SpritesTap | undefined;
  afterEach(async () => {
    await rig?.close();
    await tap?.close();
    await sprites?.close();
  });

  it("shares the threads between both workers, each answered from its own Sprite, one worker per thread at a time", async () => {
    // Eight slots a worker: twelve first turns cannot all fit on one, and four slots stay free, so
    // follow-ups are taken while their thread's first turn still runs. All threads share one
    // workspace and one channel: the fairness cap on a workspace's turns would keep those slots
    // empty, and Slack's pace of one post a second per channel would only make this slow.
    const faults = await startFaultRig({
      queue: { concurrency: 8, maxTurnsPerWorkspace: 64 },
      extraConfig: "chat:\n  postsPerSecondPerChannel: 50\n  postBurst: 50\n",
    });
    rig = faults;
    const api = await startFakeSprites();
    sprites = api;
    const spritesTap = createSpritesTap(api.url);
    tap = spritesTap;
    const { slack, model } = faults;
    // Each worker reaches the one Sprites API through its own door of the tap: that is how the
    // test knows which worker drove which Sprite, and when.
    const workers = new Map<string, WorkerProcess>();
    for (const name of workerNames) {
      const door = await spritesTap.door(name);
      const worker = faults.startWorker({
        SANDBOX_PROVIDER: "sprites",
        SPRITES_TOKEN: api.token,
        SPRITES_API_URL: door,
        LOG_LEVEL: "info",
      });
      workers.set(name, worker);
    }
    onTestFailed(() => {
      for (const [name, worker] of workers) console.error(`${name} said:\n${worker.output().slice(-4000)}`);
    });
    await Promise.all([...workers.values()].map((worker) => worker.waitForLog("threadhands started")));

    // Up to four steps a thread: with a follow-up read mid-turn there are three, after the turn four.
    model.script(...Array.from({ length: threads * 4 }, () => stepFor));
    const roots = await Promise.all(
      Array.from({ length: threads }, (_, index) =>
        faults.mention(`U0USER${index}`, `thread ${index}: check`),
      ),
    );
    // A follow-up while the first command runs is a second job for the same thread, which the
    // other worker may well take: the thread lease must keep it from driving the Sprite too.
    await Promise.all(
      roots.map(async (root, index) => {
        const running = `running \`sleep 2; echo marker-${index}-1\``;
        await slack.waitForMessage(
          channel,
          (message) =>
            message.thread_ts === root &&
            [message.text, ...message.history.map((version) => version.text)].some((text) =>
              text.includes(running),
            ),
          { timeoutMs: 60_000 },
        );
        await faults.reply(`U0USER${index}`, `thread ${index}: again`, root);
      }),
    );
    for (const [index, root] of roots.entries()) {
      await slack.waitForMessage(
        channel,
        (message) => message.thread_ts === root && message.text === `thread ${index} saw marker-${index}-2`,
        { timeoutMs: 60_000 },
      );
    }

    // Every answer in a thread names that thread's own markers, never another's.
    for (const [index, root] of roots.entries()) {
      const answers = slack
        .thread(channel, root)
        .filter((message) => /^thread \d+ saw/.test(message.text))
        .map((message) => message.text);
      expect(answers.length).toBeGreaterThan(0);
      for (const answer of answers)
        expect(answer).toMatch(new RegExp(`^thread ${index} saw marker-${index}-[12]$`));
    }
    expect(model.failures).toEqual([]);
    expect(model.chatRequests.length).toBeGreaterThanOrEqual(threads * 3);

    // Who served what: the workers' logs, and independently the tap at the Sprites API. A job logs
    // once its thread has no more work, a moment after the answer: wait for all of them.
    const jobsDone = () =>
      [...workers.values()].flatMap((worker) => worker.logs().filter((line) => line.msg === "turn job done"));
    await slack.waitFor(() => jobsDone().length >= threads * 2, { timeoutMs: 30_000 });
    const spriteOf = new Map<string, number>();
    const ranBy = new Map<number, Set<string>>();
    for (const [name, worker] of workers) {
      for (const thread of turnsRan(worker)) {
        const index = roots.indexOf(thread.thread);
        expect(index).toBeGreaterThanOrEqual(0);
        spriteOf.set(spriteNameForKey(threadKey(thread)), index);
        ranBy.set(index, new Set([...(ranBy.get(index) ?? []), name]));
      }
    }
    expect(ranBy.size).toBe(threads);
    const execsOf = new Map<number, TappedExec[]>();
    for (const exec of spritesTap.execs) {
      const index = spriteOf.get(exec.sprite);
      expect(index, `exec on a Sprite no thread ran a turn for: ${exec.sprite}`).toBeDefined();
      execsOf.set(Number(index), [...(execsOf.get(Number(index)) ?? []), exec]);
    }
    for (let index = 0; index < threads; index++) {
      const execs = execsOf.get(index) ?? [];
      expect(execs.length).toBeGreaterThanOrEqual(2);
      // A worker drove this thread's Sprite only while its log says it ran the thread's turn.
      for (const exec of execs) expect(ranBy.get(index)).toContain(exec.via);
      // One command at a time per thread, whichever worker sent it: this includes two workers.
      expect(overlapping(execs), `thread ${index}: overlapping execs`).toEqual([]);
    }
    // The race this guards against really happened: a follow-up job found its thread's lease held.
    const turnedAway = jobsDone().filter((line) => line.outcome === "queued");
    expect(turnedAway.length, "no follow-up arrived while its thread's turn ran").toBeGreaterThan(0);
    // Both workers did real work: twelve first turns do not fit in one worker's eight slots.
    expect(new Set(spritesTap.execs.map((exec) => exec.via))).toEqual(new Set(workerNames));
    for (const worker of workers.values()) expect(turnsRan(worker).length).toBeGreaterThan(0);
  }, 150_000);
});
