import { type ChildProcess, spawn } from "node:child_process";
import type { RawRunResult } from "../exec-result.ts";

export type { RawRunResult };

export interface RunRequest {
  file: string;
  args: string[];
  /** The complete environment: the bot's own is never inherited. */
  env: Record<string, string>;
  cwd?: string;
  stdin?: Uint8Array | string;
  /** Written NUL-separated to fd 3, so values never appear in argv (or /proc/<pid>/cmdline). */
  fd3?: Uint8Array;
  timeoutMs: number;
  /** Per stream; the rest is drained and dropped. */
  maxOutputBytes: number;
  signal?: AbortSignal;
}

/** Commands of one sandbox that are still running, so restore and destroy can stop them first. */
export class RunningProcesses {
  readonly #children = new Map<ChildProcess, Promise<void>>();

  track(child: ChildProcess, exited: Promise<void>): void {
    this.#children.set(child, exited);
    void exited.then(() => this.#children.delete(child));
  }

  get size(): number {
    return this.#children.size;
  }

  async killAll(): Promise<void> {
    const waits = [...this.#children].map(([child, exited]) => {
      killGroup(child);
      return exited;
    });
    await Promise.all(waits);
  }
}

/** Each command leads its own process group; SIGKILL to the group takes the whole tree. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** How long to wait for pipes after exit: a grandchild that left the group may hold them open. */
const PIPE_GRACE_MS = 200;

export function runProcess(request: RunRequest, running?: RunningProcesses): Promise<RawRunResult> {
  const { signal } = request;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const started = performance.now();
  const child = spawn(request.file, request.args, {
    cwd: request.cwd,
    env: request.env,
    detached: true,
    stdio: request.fd3 ? ["pipe", "pipe", "pipe", "pipe"] : ["pipe", "pipe", "pipe"],
  });
  let exitResolve: () => void = () => {};
  const exited = new Promise<void>((resolve) => {
    exitResolve = resolve;
  });
  running?.track(child, exited);

  return new Promise<RawRunResult>((resolve, reject) => {
    const out = createCappedSink(request.maxOutputBytes);
    const err = createCappedSink(request.maxOutputBytes);
    child.stdout?.on("data", out.push);
    child.stderr?.on("data", err.push);
    let timedOut = false;
    let aborted = false;
    let exit: { code: number | null; signal: string | null } | undefined;
    let spawnError: Error | undefined;
    let settled = false;

    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, request.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killGroup(child);
    };
    signal?.addEventListener("abort", onAbort, { once: true });

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      exitResolve();
      if (spawnError) return reject(spawnError);
      if (aborted) return reject(signal?.reason);
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: out.buffer(),
        stderr: err.buffer(),
        timedOut,
        truncated: out.truncated || err.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    };

    child.on("error", (error) => {
      spawnError = error;
      finish();
    });
    child.on("exit", (code, exitSignal) => {
      exit = { code, signal: exitSignal };
      // The group may outlive its leader (`sleep 100 &`); a timeout or abort must still take it.
      if (timedOut || aborted) killGroup(child);
      setTimeout(finish, PIPE_GRACE_MS).unref();
    });
    child.on("close", finish);

    // EPIPE when the command exits without reading its input is not our error.
    child.stdin?.on("error", () => {});
    if (typeof request.stdin === "string") child.stdin?.end(request.stdin);
    else if (request.stdin !== undefined) child.stdin?.end(Buffer.from(request.stdin));
    else child.stdin?.end();
    const fd3 = child.stdio[3];
    if (request.fd3 && fd3 && "end" in fd3) {
      fd3.on("error", () => {});
      fd3.end(request.fd3);
    }
  });
}

function createCappedSink(limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk: Buffer) {
      if (size >= limit) {
        truncated = true;
        return;
      }
      const room = limit - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size = limit;
        truncated = true;
      } else {
        chunks.push(chunk);
        size += chunk.length;
      }
    },
    buffer: () => Buffer.concat(chunks),
    get truncated() {
      return truncated;
    },
  };
}

/** `KEY=value\0` records for the fd-3 loader; keys are checked so `export` cannot be abused. */
export function encodeEnv(env: Record<string, string>): Uint8Array {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new TypeError(`invalid environment name: ${key}`);
    if (value.includes("\0")) throw new TypeError(`environment value of ${key} contains NUL`);
    parts.push(`${key}=${value}\0`);
  }
  return Buffer.from(parts.join(""));
}

/** Reads fd 3, exports each record, closes fd 3 and runs the command in a fresh bash. */
export const ENV_LOADER =
  'while IFS= read -r -d \'\' __kv; do export "$__kv"; done <&3; exec 3<&-; unset __kv; exec /bin/bash -c "$1"';
