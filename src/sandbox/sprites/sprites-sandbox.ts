import { posix } from "node:path";
import { AppError } from "../../errors.ts";
import { toExecResult } from "../exec-result.ts";
import type { Checkpoint, ExecOptions, ExecResult, Sandbox } from "../sandbox.ts";
import { type ExecSession, type RawExecResult, startExecSession } from "./exec-session.ts";
import { EXEC_WRAPPER, encodeWrapperInput, WRAPPER_ARGV0 } from "./exec-wrapper.ts";
import type { SpritesApi } from "./sprites-api.ts";
import { SpritesError } from "./sprites-errors.ts";

export interface SpritesSandboxSettings {
  api: SpritesApi;
  name: string;
  defaultTimeoutMs: number;
  maxOutputBytes: number;
  pingIntervalMs: number;
  deadAfterMs: number;
  killGraceMs: number;
  /** How long a restored Sprite may take to answer commands again. */
  restoreReadyTimeoutMs: number;
  /** A command the Sprite ends with a disconnect still runs this long (API default: 10s). */
  maxRunAfterDisconnect: string;
  onGone(): void;
}

type Signal = { signal?: AbortSignal };

/** One thread's Sprite. Its name is its id; the workspace is the Sprite's default directory. */
export class SpritesSandbox implements Sandbox {
  readonly id: string;
  readonly #settings: SpritesSandboxSettings;
  readonly #running = new Set<ExecSession>();
  #lifecycle: Promise<unknown> = Promise.resolve();
  #workspace: Promise<string> | undefined;
  #gone: string | undefined;

  constructor(settings: SpritesSandboxSettings) {
    this.id = settings.name;
    this.#settings = settings;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    await this.#lifecycle.catch(() => {});
    this.#assertAlive();
    const workspace = await this.workspace(options);
    const raw = await this.#run(command, { ...options, cwd: posix.resolve(workspace, options.cwd ?? ".") });
    return toExecResult(raw);
  }

  async readFile(file: string, options: Signal = {}): Promise<Uint8Array> {
    this.#assertAlive();
    const workspace = await this.workspace(options);
    return this.#watch(
      this.#settings.api.readFile(this.id, posix.resolve(workspace, file), workspace, options.signal),
    );
  }

  async writeFile(file: string, content: Uint8Array | string, options: Signal = {}): Promise<void> {
    this.#assertAlive();
    const workspace = await this.workspace(options);
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    await this.#watch(
      this.#settings.api.writeFile(this.id, posix.resolve(workspace, file), workspace, bytes, options.signal),
    );
  }

  checkpoint(label: string, options: Signal = {}): Promise<Checkpoint> {
    return this.#serial(async () => {
      this.#assertAlive();
      const { api } = this.#settings;
      // The comment names the step, so the Sprite's own history reads like the thread.
      const named = await this.#watch(api.createCheckpoint(this.id, label, options.signal));
      const listed = await this.listCheckpoints(options);
      const found = named
        ? listed.find((checkpoint) => checkpoint.id === named)
        : listed.filter((checkpoint) => checkpoint.label === label).at(-1);
      if (!found) {
        throw new SpritesError(
          "sprites_checkpoint_failed",
          `checkpoint "${label}" is not in the Sprite's list`,
        );
      }
      return { ...found, label };
    });
  }

  async listCheckpoints(options: Signal = {}): Promise<Checkpoint[]> {
    this.#assertAlive();
    const raw = await this.#watch(this.#settings.api.listCheckpoints(this.id, options.signal));
    return raw
      .filter((checkpoint) => checkpoint.id.toLowerCase() !== "current")
      .map((checkpoint) => ({
        id: checkpoint.id,
        label: checkpoint.comment,
        createdAt: checkpoint.createTime,
      }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || versionOf(a.id) - versionOf(b.id));
  }

  restore(checkpointId: string, options: Signal = {}): Promise<void> {
    return this.#serial(async () => {
      this.#assertAlive();
      const known = await this.listCheckpoints(options);
      if (!known.some((checkpoint) => checkpoint.id === checkpointId)) {
        throw new AppError("sandbox_checkpoint_unknown", `no checkpoint ${checkpointId}`);
      }
      await this.#stopAll();
      await this.#watch(this.#settings.api.restoreCheckpoint(this.id, checkpointId, options.signal));
      await this.#untilAnswering(options.signal);
    });
  }

  destroy(options: Signal = {}): Promise<void> {
    return this.#serial(async () => {
      if (this.#gone) return;
      await this.#stopAll();
      await this.#settings.api.deleteSprite(this.id, options.signal);
      this.#markGone("destroyed");
    });
  }

  /** Stops this process's commands; the Sprite itself stays (persistent sandboxes, shutdown). */
  async close(): Promise<void> {
    await this.#stopAll();
  }

  /** The Sprite's default directory, asked once: commands and files resolve against it. */
  workspace(options: Signal = {}): Promise<string> {
    this.#workspace ??= this.#run("pwd", { signal: options.signal }).then((raw) => {
      const dir = raw.stdout.toString("utf8").trim();
      if (raw.exitCode !== 0 || !dir.startsWith("/")) {
        throw new SpritesError(
          "sprites_workspace_unknown",
          `the Sprite did not say its directory (exit ${raw.exitCode})`,
        );
      }
      return dir;
    });
    this.#workspace.catch(() => {
      this.#workspace = undefined;
    });
    return this.#workspace;
  }

  async #run(command: string, options: ExecOptions): Promise<RawExecResult> {
    const settings = this.#settings;
    const timeoutMs = options.timeoutMs ?? settings.defaultTimeoutMs;
    const url = new URL(
      `${settings.api.baseUrl.replace(/^http/, "ws")}/v1/sprites/${encodeURIComponent(this.id)}/exec`,
    );
    for (const arg of ["bash", "-c", EXEC_WRAPPER, WRAPPER_ARGV0]) url.searchParams.append("cmd", arg);
    url.searchParams.set("path", "bash");
    url.searchParams.set("stdin", "true");
    url.searchParams.set("max_run_after_disconnect", settings.maxRunAfterDisconnect);
    if (options.cwd) url.searchParams.set("dir", options.cwd);
    const session = startExecSession({
      url,
      headers: settings.api.authHeaders,
      // The wrapper's own kill is a backstop a little after ours, for a signal that got lost.
      input: encodeWrapperInput(command, options.env ?? {}, timeoutMs / 1000 + 2, options.stdin),
      timeoutMs,
      maxOutputBytes: options.maxOutputBytes ?? settings.maxOutputBytes,
      signal: options.signal,
      pingIntervalMs: settings.pingIntervalMs,
      deadAfterMs: settings.deadAfterMs,
      killGraceMs: settings.killGraceMs,
    });
    this.#running.add(session);
    try {
      return await this.#watch(session.result);
    } finally {
      this.#running.delete(session);
    }
  }

  /** Polls with a trivial command: the API answers the restore before the Sprite is back. */
  async #untilAnswering(signal: AbortSignal | undefined): Promise<void> {
    const deadline = Date.now() + this.#settings.restoreReadyTimeoutMs;
    let delay = 100;
    let last: unknown;
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      try {
        const probe = await this.#run("true", { signal, timeoutMs: 10_000 });
        if (probe.exitCode === 0) return;
      } catch (error) {
        if (signal?.aborted) throw error;
        if (error instanceof AppError && !error.retryable) throw error;
        last = error;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 2_000);
    }
    throw new SpritesError(
      "sprites_restore_unconfirmed",
      "the Sprite did not answer again after the restore",
      {
        retryable: true,
        cause: last,
      },
    );
  }

  async #stopAll(): Promise<void> {
    const sessions = [...this.#running];
    for (const session of sessions) session.stop();
    await Promise.allSettled(sessions.map((session) => session.result));
  }

  /** A 404 for the Sprite itself means it was deleted underneath us: say so, and forget it. */
  async #watch<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      if (error instanceof AppError && error.code === "sprite_not_found") {
        this.#markGone("deleted outside threadhands");
        throw new SpritesError("sprite_not_found", `Sprite ${this.id} no longer exists (${this.#gone})`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#lifecycle.catch(() => {}).then(task);
    this.#lifecycle = next;
    return next;
  }

  #markGone(reason: string): void {
    if (this.#gone) return;
    this.#gone = reason;
    this.#settings.onGone();
  }

  #assertAlive(): void {
    if (this.#gone === "destroyed")
      throw new AppError("sandbox_destroyed", `sandbox ${this.id} was destroyed`);
    if (this.#gone)
      throw new AppError("sprite_not_found", `Sprite ${this.id} no longer exists (${this.#gone})`);
  }
}

function versionOf(id: string): number {
  const match = /(\d+)$/.exec(id);
  return match ? Number(match[1]) : 0;
}
