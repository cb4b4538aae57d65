import type { IncomingMessage, Server, ServerResponse } from "node:http";

export interface AckTimerOptions {
  /** Receives each answered platform request's duration in seconds (`metrics.ingressAcked`). */
  onAck(seconds: number): void;
  /** Which requests are platform deliveries; default: POSTs under /slack/ (events, interactions). */
  isPlatformRequest?: (req: IncomingMessage) => boolean;
}

const slackDelivery = (req: IncomingMessage) =>
  req.method === "POST" && (req.url ?? "").startsWith("/slack/");

/**
 * Times platform deliveries on the HTTP server itself, from the request to the last byte of the
 * answer, which is what the platform's 3 s deadline measures. Bolt answers after the listeners
 * have enqueued (`processBeforeResponse`), so this includes the Redis round trips.
 * Returns a function that stops observing.
 */
export function observeIngressAcks(server: Server, options: AckTimerOptions): () => void {
  const isPlatformRequest = options.isPlatformRequest ?? slackDelivery;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!isPlatformRequest(req)) return;
    const started = performance.now();
    res.once("finish", () => options.onAck((performance.now() - started) / 1000));
  };
  // Bolt's handler was registered first, but it reads the body asynchronously: we start in time.
  server.on("request", onRequest);
  return () => void server.off("request", onRequest);
}
