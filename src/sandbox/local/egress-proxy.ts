import { createHash } from "node:crypto";
import { lookup } from "node:dns/promises";
import { chmod, chown, mkdir, rm } from "node:fs/promises";
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { connect, createServer as createNetServer, isIP, type Server, type Socket } from "node:net";
import path from "node:path";
import { type Duplex, pipeline } from "node:stream";
import { AppError } from "../../errors.ts";
import { parseAllowList } from "./egress-allowlist.ts";
import { parseAuthority, rawReply, reply, withoutHopByHop } from "./egress-http.ts";
import { isForbiddenAddress as defaultIsForbidden } from "./forbidden-address.ts";
import type { LocalSandboxLogger } from "./local-options.ts";

/** Every address a name has; the proxy checks all of them and connects only to one it checked. */
export type HostResolver = (host: string, signal: AbortSignal) => Promise<string[]>;

export interface EgressProxyOptions {
  allow: readonly string[];
  /** Where each sandbox's Unix socket is made (one per sandbox: the socket says who is asking). */
  socketDir: string;
  /** The sandbox user, who must be able to connect to its socket. */
  socketUid: number;
  socketGid: number;
  logger: LocalSandboxLogger;
  resolveHost?: HostResolver;
  /** Tests only: the address policy. Production keeps the default, which refuses internal ranges. */
  isForbiddenAddress?: (address: string) => boolean;
  timeoutMs?: number;
}

export interface EgressProxy {
  /** Listens for one sandbox; returns the host path of its socket, to bind into the sandbox. */
  attach(sandboxId: string): Promise<string>;
  detach(sandboxId: string): Promise<void>;
  close(): Promise<void>;
}

interface Listener {
  server: Server;
  sockets: Set<Socket>;
  socketPath: string;
}

type Decision = { addresses: string[] } | { status: 400 | 403 | 502; reason: string };

export const systemResolver: HostResolver = async (host, signal) => {
  signal.throwIfAborted();
  const aborted = new Promise<never>((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
  );
  const found = await Promise.race([lookup(host, { all: true, order: "ipv4first" }), aborted]);
  return found.map((entry) => entry.address);
};

/**
 * A forward proxy for sandboxes in allow-list mode: `CONNECT host:port` tunnels (HTTPS) and
 * absolute-URI plain HTTP. A name is resolved here, every address is checked, and the connection
 * goes to a checked address, so a listed name that points (or later re-points) at loopback, a
 * private network or the metadata service gets nowhere.
 */
export async function createEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const allowList = parseAllowList(options.allow);
  const resolveHost = options.resolveHost ?? systemResolver;
  const forbidden = options.isForbiddenAddress ?? defaultIsForbidden;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { logger } = options;
  const timeout = () => AbortSignal.timeout(timeoutMs);
  const sandboxOf = new WeakMap<object, string>();
  const listeners = new Map<string, Promise<Listener>>();
  // A crashed bot leaves its sockets; only root (the bot) may connect to the directory's.
  await rm(options.socketDir, { recursive: true, force: true });
  await mkdir(options.socketDir, { recursive: true, mode: 0o700 });

  async function decide(sandbox: string, host: string, port: number, signal: AbortSignal): Promise<Decision> {
    const refuse = (status: 400 | 403 | 502, reason: string, extra: object = {}): Decision => {
      logger.warn({ sandbox, host, port, allowed: false, reason, ...extra }, "sandbox egress refused");
      return { status, reason };
    };
    if (!allowList.allows(host, port))
      return refuse(403, `${host}:${port} is not on the sandbox's allow-list`);
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await resolveHost(host, AbortSignal.any([signal, timeout()]));
    } catch (error) {
      return refuse(502, `cannot resolve ${host}`, { error: String(error) });
    }
    if (addresses.length === 0) return refuse(502, `cannot resolve ${host}`);
    const internal = addresses.filter((address) => forbidden(address));
    if (internal.length > 0) {
      return refuse(403, `${host} resolves to a loopback, private, link-local or metadata address`, {
        addresses: internal,
      });
    }
    logger.info({ sandbox, host, port, allowed: true, address: addresses[0] }, "sandbox egress allowed");
    return { addresses };
  }

  async function onConnect(request: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    const closed = abortOnClose(client);
    client.on("error", () => client.destroy());
    const target = parseAuthority(request.url ?? "");
    if (!target) return rawReply(client, 400, "CONNECT needs host:port");
    const sandbox = sandboxOf.get(request.socket) ?? "unknown";
    const decision = await decide(sandbox, target.host, target.port, closed);
    if ("reason" in decision) return rawReply(client, decision.status, decision.reason);
    let upstream: Socket;
    try {
      upstream = await connectFirst(decision.addresses, target.port, AbortSignal.any([closed, timeout()]));
    } catch {
      return rawReply(client, 502, `cannot connect to ${target.host}:${target.port}`);
    }
    const destroyBoth = () => {
      upstream.destroy();
      client.destroy();
    };
    for (const stream of [upstream, client]) stream.on("error", destroyBoth).on("close", destroyBoth);
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  }

  async function onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const closed = abortOnClose(response);
    let url: URL | undefined;
    try {
      url = new URL(request.url ?? "");
    } catch {}
    if (url?.protocol !== "http:") {
      return reply(response, 400, "send absolute http:// URLs, or CONNECT host:port for HTTPS");
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = url.port === "" ? 80 : Number(url.port);
    const sandbox = sandboxOf.get(request.socket) ?? "unknown";
    const decision = await decide(sandbox, host, port, closed);
    if ("reason" in decision) return reply(response, decision.status, decision.reason);
    const upstream = httpRequest({
      host: decision.addresses[0],
      port,
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: { ...withoutHopByHop(request.headers), host: url.host },
      setHost: false,
      agent: false,
      signal: closed,
      timeout: timeoutMs,
    });
    upstream.on("timeout", () => upstream.destroy(new Error("upstream timed out")));
    upstream.on("response", (answer) => {
      response.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
      // An upstream that breaks off mid-body must break the client's response too, not stall it.
      pipeline(answer, response, (error) => error && response.destroy());
    });
    upstream.on("error", () => {
      if (!response.headersSent) reply(response, 502, `cannot reach ${url.host}`);
      else response.destroy();
    });
    pipeline(request, upstream, (error) => error && upstream.destroy());
  }

  const http = createHttpServer((request, response) => void onRequest(request, response));
  http.on("connect", (request: IncomingMessage, client: Duplex, head: Buffer) => {
    void onConnect(request, client, head);
  });
  http.on("clientError", (_error, socket: Duplex) => rawReply(socket, 400, "malformed request"));

  async function listen(sandboxId: string): Promise<Listener> {
    const name = createHash("sha256").update(sandboxId).digest("hex").slice(0, 16);
    const socketPath = path.join(options.socketDir, `${name}.sock`);
    await rm(socketPath, { force: true });
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      // The socket a connection arrived on is the only trustworthy name of the sandbox asking.
      sandboxOf.set(socket, sandboxId);
      http.emit("connection", socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => resolve());
    });
    await chown(socketPath, options.socketUid, options.socketGid);
    await chmod(socketPath, 0o600);
    return { server, sockets, socketPath };
  }

  async function stop(listener: Listener): Promise<void> {
    const stopped = new Promise<void>((resolve) => listener.server.close(() => resolve()));
    for (const socket of listener.sockets) socket.destroy();
    await stopped;
    await rm(listener.socketPath, { force: true });
  }

  return {
    async attach(sandboxId) {
      let pending = listeners.get(sandboxId);
      if (!pending) {
        pending = listen(sandboxId).catch((error: unknown) => {
          listeners.delete(sandboxId);
          throw new AppError("sandbox_egress_failed", `cannot start the egress proxy for ${sandboxId}`, {
            cause: error,
          });
        });
        listeners.set(sandboxId, pending);
      }
      return (await pending).socketPath;
    },
    async detach(sandboxId) {
      const pending = listeners.get(sandboxId);
      listeners.delete(sandboxId);
      const listener = await pending?.catch(() => undefined);
      if (listener) await stop(listener);
    },
    async close() {
      const all = await Promise.allSettled(listeners.values());
      listeners.clear();
      await Promise.all(
        all.map((settled) => (settled.status === "fulfilled" ? stop(settled.value) : undefined)),
      );
      await rm(options.socketDir, { recursive: true, force: true });
    },
  };
}

async function connectFirst(addresses: string[], port: number, signal: AbortSignal): Promise<Socket> {
  let lastError: unknown;
  for (const address of addresses) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: address, port, signal });
        socket.once("connect", () => resolve(socket));
        socket.once("error", reject);
      });
    } catch (error) {
      lastError = error;
      if (signal.aborted) break;
    }
  }
  throw lastError;
}

function abortOnClose(stream: { once(event: "close", listener: () => void): unknown }): AbortSignal {
  const controller = new AbortController();
  stream.once("close", () => controller.abort(new Error("client went away")));
  return controller.signal;
}
