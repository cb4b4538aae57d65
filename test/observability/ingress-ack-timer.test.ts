import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { observeIngressAcks } from "../../src/observability/ingress-ack-timer.ts";

describe("the ingress ack timer", () => {
  it("times platform deliveries from request to answer and ignores other requests", async () => {
    const server = createServer((req, res) => {
      // Like Bolt with processBeforeResponse: answer after the (slow) enqueue.
      setTimeout(() => res.end("ok"), req.url === "/slack/events" ? 50 : 0);
    });
    const acks: number[] = [];
    const stop = observeIngressAcks(server, { onAck: (seconds) => acks.push(seconds) });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await (await fetch(`${base}/slack/events`, { method: "POST", body: "{}" })).text();
      await (await fetch(`${base}/healthz`)).text();
      stop();
      await (await fetch(`${base}/slack/events`, { method: "POST", body: "{}" })).text();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(acks).toHaveLength(1);
    expect(acks[0]).toBeGreaterThanOrEqual(0.045);
    expect(acks[0]).toBeLessThan(1);
  });
});
