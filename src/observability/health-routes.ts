import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";

/** The shape of Bolt's `customRoutes`, kept structural so any node:http server can serve them. */
export interface HttpRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Resolves when the dependency is usable; rejects (or outlives the timeout) when it is not. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<unknown>;

export interface HealthRoutesOptions {
  /** Serves GET /metrics when set. */
  registry?: Registry;
  /** Named checks for GET /readyz, run in parallel. */
  checks?: Record<string, ReadinessCheck>;
  /** Per check; a Redis that does not answer must fail the probe fast, not hang it. Default 1 s. */
  checkTimeoutMs?: number;
}

export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * GET /healthz: the process serves HTTP (liveness; restarts when it stops answering).
 * GET /readyz: its dependencies answer (readiness; 503 takes it out of rotation, no restart).
 * GET /metrics: Prometheus text exposition of the registry.
 */
export function createHealthRoutes(options: HealthRoutesOptions = {}): HttpRoute[] {
  const timeoutMs = options.checkTimeoutMs ?? 1000;
  const routes: HttpRoute[] = [
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req, res) => sendJson(res, 200, { ok: true }),
    },
    {
      path: "/readyz",
      method: ["GET"],
      handler: (_req, res) => {
        runChecks(options.checks ?? {}, timeoutMs).then(
          (checks) => {
            const ok = Object.values(checks).every((check) => check.ok);
            sendJson(res, ok ? 200 : 503, { ok, checks });
          },
          () => sendJson(res, 503, { ok: false }),
        );
      },
    },
  ];
  const registry = options.registry;
  if (registry) {
    routes.push({
      path: "/metrics",
      method: ["GET"],
      handler: (_req, res) => {
        registry.metrics().then(
          (text) => {
            res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
            res.end(text);
          },
          (error: unknown) => {
            res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
            res.end(
              `# metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`,
            );
          },
        );
      },
    });
  }
  return routes;
}

export async function runChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  return Object.fromEntries(entries);
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    await Promise.race([check(controller.signal), timeout]);
    return { ok: true, ms: elapsed(started) };
  } catch (error) {
    // Only the message: a probe answer is public, and a stack or cause may hold connection details.
    return { ok: false, ms: elapsed(started), error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;

/** Redis answers PING. An ioredis client with `maxRetriesPerRequest: null` would wait forever: the timeout ends it. */
export function redisPingCheck(redis: { ping(): Promise<string> }): ReadinessCheck {
  return async () => {
    const answer = await redis.ping();
    if (answer !== "PONG") throw new Error(`PING answered ${JSON.stringify(answer)}`);
  };
}

/** A BullMQ Queue or Worker that is not closing and whose connection is ready. */
export function queueOpenCheck(queue: {
  readonly name: string;
  closing: Promise<void> | undefined;
  waitUntilReady(): Promise<unknown>;
}): ReadinessCheck {
  return async () => {
    if (queue.closing) throw new Error(`queue ${queue.name} is closing`);
    await queue.waitUntilReady();
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
