import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * The gateway side of the fake: HELLO, IDENTIFY → READY (then GUILD_CREATE, sent by the
 * caller's `onIdentify`), heartbeats and their ACKs, dispatches with sequence numbers, and
 * RESUME: every dispatch is kept so a client that reconnects with its session id and last
 * sequence gets what it missed, then RESUMED. Plain JSON text frames: no zlib, as discord.js
 * without zlib-sync asks for none.
 */

export const gatewayOpcodes = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  resume: 6,
  reconnect: 7,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;

export interface GatewayFrame {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

export interface GatewayConnectionRecord {
  /** Path and query the client connected with, e.g. `/gateway?v=10&encoding=json`. */
  url: string;
  received: GatewayFrame[];
  openedAt: number;
  closedAt?: number;
  closeCode?: number;
}

export interface GatewayOptions {
  server: Server;
  token: string;
  heartbeatIntervalMs: number;
  /** Builds READY's `d` for a new session. */
  readyPayload(sessionId: string, resumeUrl: string): Record<string, unknown>;
  /** Dispatches that follow READY (GUILD_CREATE for each guild). */
  afterReady(): Array<{ t: string; d: unknown }>;
  resumeUrl: string;
}

export interface FakeGateway {
  readonly connections: GatewayConnectionRecord[];
  readonly sessionId: string | undefined;
  readonly sequence: number;
  /** Sends an event to the identified client, or keeps it for RESUME while it is away. */
  dispatch(t: string, d: unknown): number;
  /** Closes the client's socket from the server side; 4000 (unknown error) invites a RESUME. */
  dropConnection(code?: number): void;
  isConnected(): boolean;
  close(): Promise<void>;
}

export function createFakeGateway(options: GatewayOptions): FakeGateway {
  const wss = new WebSocketServer({ noServer: true });
  const connections: GatewayConnectionRecord[] = [];
  const log: Array<{ s: number; t: string; d: unknown }> = [];
  let sequence = 0;
  let sessionId: string | undefined;
  let live: WebSocket | undefined;

  options.server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    if (!path.startsWith("/gateway")) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req.url ?? "/"));
  });

  const send = (ws: WebSocket, frame: GatewayFrame) => ws.send(JSON.stringify(frame));
  const sendDispatch = (ws: WebSocket, entry: { s: number; t: string; d: unknown }) =>
    send(ws, { op: gatewayOpcodes.dispatch, s: entry.s, t: entry.t, d: entry.d });

  function record(t: string, d: unknown) {
    const entry = { s: ++sequence, t, d };
    log.push(entry);
    return entry;
  }

  function accept(ws: WebSocket, url: string) {
    const connection: GatewayConnectionRecord = { url, received: [], openedAt: Date.now() };
    connections.push(connection);
    const query = new URL(url, "http://fake").searchParams;
    if (query.get("v") !== "10" || query.get("encoding") !== "json" || query.has("compress")) {
      // Real Discord closes 4012 for a bad version; this fake speaks only uncompressed JSON v10.
      ws.close(4012, "this fake gateway speaks v=10&encoding=json without compression");
    }
    ws.on("close", (code) => {
      connection.closedAt = Date.now();
      connection.closeCode = code;
      if (live === ws) live = undefined;
    });
    ws.on("message", (data) => {
      let frame: GatewayFrame;
      try {
        frame = JSON.parse(String(data)) as GatewayFrame;
      } catch {
        return ws.close(4002, "Error while decoding payload.");
      }
      connection.received.push(frame);
      onFrame(ws, frame);
    });
    send(ws, {
      op: gatewayOpcodes.hello,
      d: { heartbeat_interval: options.heartbeatIntervalMs },
      s: null,
      t: null,
    });
  }

  function onFrame(ws: WebSocket, frame: GatewayFrame) {
    const d = (frame.d ?? {}) as Record<string, unknown>;
    switch (frame.op) {
      case gatewayOpcodes.heartbeat:
        return send(ws, { op: gatewayOpcodes.heartbeatAck });
      case gatewayOpcodes.identify: {
        if (d.token !== options.token) return ws.close(4004, "Authentication failed.");
        if (typeof d.intents !== "number") return ws.close(4013, "Invalid intent(s).");
        sessionId = randomUUID().replaceAll("-", "");
        log.length = 0;
        sequence = 0;
        live = ws;
        sendDispatch(ws, record("READY", options.readyPayload(sessionId, options.resumeUrl)));
        for (const event of options.afterReady()) sendDispatch(ws, record(event.t, event.d));
        return;
      }
      case gatewayOpcodes.resume: {
        if (d.token !== options.token) return ws.close(4004, "Authentication failed.");
        const from = typeof d.seq === "number" ? d.seq : -1;
        if (!sessionId || d.session_id !== sessionId || from > sequence) {
          return send(ws, { op: gatewayOpcodes.invalidSession, d: false });
        }
        live = ws;
        for (const entry of log.filter((item) => item.s > from)) sendDispatch(ws, entry);
        sendDispatch(ws, record("RESUMED", {}));
        return;
      }
      default:
        return ws.close(4001, "Unknown opcode.");
    }
  }

  return {
    connections,
    get sessionId() {
      return sessionId;
    },
    get sequence() {
      return sequence;
    },
    dispatch(t, d) {
      const entry = record(t, d);
      if (live) sendDispatch(live, entry);
      return entry.s;
    },
    dropConnection(code = 4000) {
      live?.close(code, "fake gateway dropped the connection");
      live = undefined;
    },
    isConnected: () => live !== undefined,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
