import { describe, expect, it } from "vitest";
import { createEditCoalescer } from "../../src/chat/edit-coalescer.ts";

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("status edit coalescing", () => {
  it("keeps one edit in flight per message and sends only the latest of the texts that waited", async () => {
    const sent: string[] = [];
    const gates: Array<() => void> = [];
    const coalescer = createEditCoalescer<string>(async (_key, value) => {
      sent.push(value);
      const gate = deferred();
      gates.push(gate.resolve);
      await gate.promise;
    });
    const first = coalescer.edit("m1", "step 1");
    await coalescer.edit("m1", "step 2");
    await coalescer.edit("m1", "step 3");
    await coalescer.edit("m1", "step 4");
    expect(sent).toEqual(["step 1"]);
    gates.shift()?.();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(["step 1", "step 4"]);
    gates.shift()?.();
    await coalescer.settled("m1");
    expect(sent).toEqual(["step 1", "step 4"]);
  });

  it("edits different messages independently", async () => {
    const sent: string[] = [];
    const coalescer = createEditCoalescer<string>(async (key, value) => void sent.push(`${key}=${value}`));
    await Promise.all([coalescer.edit("a", "1"), coalescer.edit("b", "1")]);
    expect(sent.sort()).toEqual(["a=1", "b=1"]);
  });

  it("fails the caller whose own edit failed, and reports a later failure instead of losing it", async () => {
    const late: unknown[] = [];
    let calls = 0;
    const coalescer = createEditCoalescer<string>(
      async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error(`edit ${calls} failed`);
      },
      (_key, error) => late.push(error),
    );
    const first = coalescer.edit("m", "one");
    await coalescer.edit("m", "two");
    await expect(first).rejects.toThrow("edit 1 failed");
    await coalescer.settled("m");
    expect(late).toHaveLength(1);
  });
});
