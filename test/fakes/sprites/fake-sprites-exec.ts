import { readFile } from "node:fs/promises";
import path from "node:path";
import type { WebSocket } from "ws";
import type { Sandbox } from "../../../src/sandbox/sandbox.ts";

/**
 * The exec WebSocket of a Sprite, as the real API speaks it: binary frames with a one-byte
 * stream prefix (0 stdin, 1 stdout, 2 stderr, 3 exit with the code in the next byte, 4 stdin
 * EOF) and JSON text control messages (`{"type":"signal","signal":"SIGTERM"}`). The process runs
 * in a local portable sandbox. Limits of the imitation: stdin is gathered until EOF before the
 * process starts, and output arrives when it exits, not as it is written.
 */
export interface FakeExecRequest {
  socket: WebSocket;
  sandbox: Sandbox;
  query: URLSearchParams;
  pidDir: string;
  sequence: number;
  /** Fault: cut the connection once the command has started. */
  drop: boolean;
}

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const EXIT = 3;
const STDIN_EOF = 4;
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

export function serveExec(request: FakeExecRequest): void {
  const { socket, query } = request;
  const argv = query.getAll("cmd");
  const file = query.get("path") ?? argv[0] ?? "bash";
  const env = query.getAll("env");
  const pidFile = path.join(request.pidDir, `exec-${request.sequence}.pid`);
  const stdin: Buffer[] = [];
  const controller = new AbortController();
  let started = false;
  let exited = false;

  const quoted = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  const args = argv.slice(1).map(quoted).join(" ");
  // `env -i` because the real `env` parameter replaces the whole environment.
  const target = env.length
    ? `env -i ${env.map(quoted).join(" ")} ${quoted(file)} ${args}`
    : `-a ${quoted(argv[0] ?? file)} ${quoted(file)} ${args}`;
  const script = `printf %s $$ > ${quoted(pidFile)}; exec ${target}`;

  const signalProcess = async (name: string) => {
    const normalized = name.startsWith("SIG") ? name : `SIG${name}`;
    const pid = Number(await readFile(pidFile, "utf8").catch(() => ""));
    if (pid > 0 && SIGNALS[normalized]) {
      try {
        process.kill(pid, normalized as NodeJS.Signals);
      } catch {
        // Already gone.
      }
    }
  };

  const start = () => {
    if (started) return;
    started = true;
    const running = request.sandbox.exec(script, {
      cwd: query.get("dir") ?? undefined,
      stdin: Buffer.concat(stdin).toString("utf8"),
      timeoutMs: 24 * 3600_000,
      maxOutputBytes: 64 * 1024 * 1024,
      signal: controller.signal,
    });
    if (request.drop) setTimeout(() => socket.terminate(), 50);
    running.then(
      (result) => {
        exited = true;
        const code = result.exitCode ?? 128 + (SIGNALS[result.signal ?? ""] ?? 9);
        if (socket.readyState !== socket.OPEN) return;
        for (const [stream, text] of [
          [STDOUT, result.stdout],
          [STDERR, result.stderr],
        ] as const) {
          const bytes = Buffer.from(text, "utf8");
          for (let at = 0; at < bytes.length; at += 32 * 1024) {
            socket.send(Buffer.concat([Buffer.from([stream]), bytes.subarray(at, at + 32 * 1024)]));
          }
        }
        socket.send(Buffer.from([EXIT, code & 0xff]));
        socket.close(1000);
      },
      () => {
        exited = true;
        if (socket.readyState === socket.OPEN) socket.close(1011, "exec failed");
      },
    );
  };

  socket.on("message", (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      const message = JSON.parse(data.toString("utf8")) as { type?: string; signal?: string };
      if (message.type === "signal" && message.signal) void signalProcess(message.signal);
      return;
    }
    if (data[0] === STDIN) stdin.push(Buffer.from(data.subarray(1)));
    else if (data[0] === STDIN_EOF) start();
  });
  socket.on("close", () => {
    if (exited) return;
    // Like the real API: a disconnected command runs on for max_run_after_disconnect.
    const grace = parseDuration(query.get("max_run_after_disconnect") ?? "10s");
    setTimeout(() => {
      void signalProcess("SIGKILL");
      controller.abort();
    }, grace).unref();
  });
  if (query.get("stdin") !== "true") start();
}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) return 10_000;
  const value = Number(match[1]);
  return match[2] === "ms" ? value : match[2] === "m" ? value * 60_000 : value * 1000;
}
