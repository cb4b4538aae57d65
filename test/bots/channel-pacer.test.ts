import { describe, expect, it } from "vitest";
import { createChannelPacer } from "../../src/chat/channel-pacer.ts";

describe("the channel pacer", () => {
  it("lets a burst through at once, then spaces posts to the rate, in order, per channel", async () => {
    const pacer = createChannelPacer({ perSecond: 10, burst: 3 });
    const started = Date.now();
    const times: Array<[string, number, number]> = [];
    await Promise.all([
      ...Array.from({ length: 6 }, (_, index) =>
        pacer.schedule("C1", async () => {
          times.push(["C1", index, Date.now() - started]);
        }),
      ),
      pacer.schedule("C2", async () => {
        times.push(["C2", 0, Date.now() - started]);
      }),
    ]);
    const c1 = times.filter(([channel]) => channel === "C1");
    expect(c1.map(([, index]) => index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(c1[2]?.[2]).toBeLessThan(50);
    // Three more at 10/s need about 300 ms after the burst.
    expect(c1[5]?.[2]).toBeGreaterThanOrEqual(250);
    expect(times.find(([channel]) => channel === "C2")?.[2]).toBeLessThan(50);
  });
});
