import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpRoute } from "./health-routes.ts";

export interface HealthServerOptions {
  routes: HttpRoute[];
  /** 0 picks a free port (tests). */
  port: number;
  /** Default all interfaces: the orchestrator probes from outside the container. */
  host?: string;
}

export interface HealthServer {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * A bare node:http server for the same routes Bolt serves on ingress, for processes without Bolt
 * (the worker role), so every container answers /healthz, /readyz and /metrics on its PORT.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://health").pathname;
    const matching = options.routes.filter((route) => route.path === path);
    const route = matching.find((candidate) => candidate.method.includes(req.method ?? "GET"));
    if (route) return route.handler(req, res);
    const status = matching.length > 0 ? 405 : 404;
    res.writeHead(status, {
      "content-type": "application/json",
      ...(status === 405 ? { allow: matching.flatMap((candidate) => candidate.method).join(", ") } : {}),
    });
    res.end(JSON.stringify({ ok: false, error: status === 405 ? "method not allowed" : "not found" }));
  });
  // Probes are short; do not let a stuck client hold a socket open forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
