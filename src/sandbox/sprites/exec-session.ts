import { StreamID } from "@fly/sprites";
import WebSocket from "ws";
import type { RawRunResult } from "../exec-result.ts";
import { apiFailure, SpritesError } from "./sprites-errors.ts";

export interface ExecSessionRequest {
  url: URL;
  headers: Record<string, string>;
  /** Sent as stdin frames, then the stdin-EOF frame (the SDK's execFile never sends it). */
  input: Buffer;
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  /** We ping; the SDK only waits for traffic and so fails a command silent for 45 s. */
  pingIntervalMs: number;
  /** No pong nor frame for this long: the connection is dead. */
  deadAfterMs: number;
  /** After TERM at the timeout, how long the Sprite gets to answer with an exit frame. */
  killGraceMs: number;
}

/** What one exec yields, before it becomes an ExecResult. */
export type RawExecResult = RawRunResult;

export interface ExecSession {
  result: Promise<RawExecResult>;
  /** Stops the command (restore, destroy); the result then says it was killed. */
  stop(): void;
}

/** One command over the exec WebSocket: one-byte stream prefixes, JSON text control messages. */
export function startExecSession(request: ExecSessionRequest): ExecSession {
  const started = performance.now();
  const stdout = cappedSink(request.maxOutputBytes);
  const stderr = cappedSink(request.maxOutputBytes);
  const socket = new WebSocket(request.url, { headers: request.headers, handshakeTimeout: 30_000 });
  let timedOut = false;
  let stopped = false;
  let settled = false;
  let lastHeard = Date.now();
  const timers: NodeJS.Timeout[] = [];
  let resolveResult: (value: RawExecResult) => void = () => {};
  let rejectResult: (reason: unknown) => void = () => {};
  const result = new Promise<RawExecResult>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });

  const cleanup = () => {
    settled = true;
    for (const timer of timers) clearTimeout(timer);
    request.signal?.removeEventListener("abort", onAbort);
  };
  const finish = (exitCode: number | null, killed: boolean) => {
    if (settled) return;
    cleanup();
    socket.close(1000);
    resolveResult({
      exitCode: killed ? null : exitCode,
      signal: killed ? "SIGKILL" : null,
      stdout: stdout.buffer(),
      stderr: stderr.buffer(),
      timedOut,
      truncated: stdout.truncated || stderr.truncated,
      durationMs: Math.round(performance.now() - started),
    });
  };
  const fail = (error: unknown) => {
    if (settled) return;
    cleanup();
    // close() flushes a signal message queued just before; terminate() could drop it.
    if (socket.readyState === WebSocket.OPEN) socket.close(1000);
    else socket.terminate();
    rejectResult(error);
  };
  const sendSignal = (name: string) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "signal", signal: name }));
  };
  /** TERM reaches the wrapper, which kills the command's whole group; then we stop waiting. */
  const kill = () => {
    sendSignal("SIGTERM");
    timers.push(setTimeout(() => finish(null, true), request.killGraceMs));
  };
  function onAbort() {
    sendSignal("SIGTERM");
    fail(request.signal?.reason);
  }

  if (request.signal?.aborted) {
    socket.terminate();
    return { result: Promise.reject(request.signal.reason), stop() {} };
  }
  request.signal?.addEventListener("abort", onAbort, { once: true });
  timers.push(
    setTimeout(() => {
      timedOut = true;
      kill();
    }, request.timeoutMs),
  );

  socket.on("unexpected-response", (_req, response) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      fail(apiFailure("exec", response.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"), headers));
    });
  });
  socket.on("open", () => {
    for (let offset = 0; offset < request.input.length; offset += 64 * 1024) {
      const chunk = request.input.subarray(offset, offset + 64 * 1024);
      socket.send(Buffer.concat([Buffer.from([StreamID.Stdin]), chunk]));
    }
    socket.send(Buffer.from([StreamID.StdinEOF]));
    const ping = setInterval(() => {
      if (Date.now() - lastHeard > request.deadAfterMs) {
        clearInterval(ping);
        fail(lost("no answer to keepalive pings"));
        return;
      }
      socket.ping();
    }, request.pingIntervalMs);
    timers.push(ping);
  });
  socket.on("pong", () => {
    lastHeard = Date.now();
  });
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    lastHeard = Date.now();
    if (!isBinary) {
      const message = parseJson(data.toString("utf8"));
      if (message?.type === "exit" && typeof message.exit_code === "number") {
        finish(message.exit_code, stopped || timedOut);
      }
      return;
    }
    if (data.length === 0) return;
    const payload = data.subarray(1);
    if (data[0] === StreamID.Stdout) stdout.push(payload);
    else if (data[0] === StreamID.Stderr) stderr.push(payload);
    else if (data[0] === StreamID.Exit) finish(payload[0] ?? 0, stopped || timedOut);
  });
  socket.on("error", (error) => {
    if (timedOut || stopped) return finish(null, true);
    fail(lost(error.message.replace(/\b(?:wss?|https?):\/\/\S+/g, "<url>")));
  });
  socket.on("close", () => {
    if (timedOut || stopped) return finish(null, true);
    fail(lost("the connection closed before the command exited"));
  });

  return {
    result,
    stop() {
      if (settled || stopped) return;
      stopped = true;
      kill();
    },
  };
}

function lost(reason: string): SpritesError {
  return new SpritesError("sprites_exec_connection_lost", `Sprites exec lost its connection: ${reason}`, {
    retryable: true,
  });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function cappedSink(limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk: Buffer) {
      const room = limit - size;
      if (chunk.length > room) truncated = true;
      if (room <= 0) return;
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(Buffer.from(kept));
      size += kept.length;
    },
    buffer: () => Buffer.concat(chunks),
    get truncated() {
      return truncated;
    },
  };
}
