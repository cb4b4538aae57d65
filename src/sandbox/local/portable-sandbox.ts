import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";
import { toExecResult } from "../exec-result.ts";
import type { Checkpoint, ExecOptions, ExecResult } from "../sandbox.ts";
import type { LocalSandbox } from "./local-backend.ts";
import type { SeedSource } from "./local-options.ts";
import { RunningProcesses, runProcess } from "./run-process.ts";
import { resolveInsideRoot } from "./safe-host-path.ts";
import { newCheckpointId } from "./sandbox-name.ts";
import { readSandboxState, type SandboxState, writeSandboxState } from "./sandbox-state.ts";
import { SerialQueue } from "./serial-queue.ts";

export interface PortableSandboxSettings {
  id: string;
  dir: string;
  defaultTimeoutMs: number;
  maxOutputBytes: number;
  onDestroyed(): void;
}

/**
 * No isolation: commands are ordinary processes of the bot's user, confined only by convention
 * to their own tree. Checkpoints are full copies (`cp -a` keeps modes, links and hard links).
 */
export class PortableSandbox implements LocalSandbox {
  readonly id: string;
  readonly #dir: string;
  readonly #root: string;
  readonly #workspace: string;
  readonly #settings: PortableSandboxSettings;
  readonly #running = new RunningProcesses();
  readonly #lifecycle = new SerialQueue();
  #destroyed = false;

  constructor(settings: PortableSandboxSettings) {
    this.id = settings.id;
    this.#settings = settings;
    this.#dir = settings.dir;
    this.#root = path.join(settings.dir, "root");
    this.#workspace = path.join(this.#root, "workspace");
  }

  static async create(settings: PortableSandboxSettings, key: string): Promise<PortableSandbox> {
    const root = path.join(settings.dir, "root");
    await rm(settings.dir, { recursive: true, force: true });
    for (const sub of ["workspace", "home", "tmp"]) await mkdir(path.join(root, sub), { recursive: true });
    await mkdir(path.join(settings.dir, "checkpoints"));
    await writeSandboxState(settings.dir, { key, ready: false, checkpoints: [] });
    return new PortableSandbox(settings);
  }

  get workspace(): string {
    return this.#workspace;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    await this.#lifecycle.idle();
    this.#assertAlive();
    const cwd = await resolveInsideRoot(this.#root, this.#workspace, options.cwd ?? ".");
    const raw = await runProcess(
      {
        file: "/bin/bash",
        args: ["-c", command],
        cwd,
        env: { ...this.#baseEnv(), ...options.env },
        stdin: options.stdin,
        timeoutMs: options.timeoutMs ?? this.#settings.defaultTimeoutMs,
        maxOutputBytes: options.maxOutputBytes ?? this.#settings.maxOutputBytes,
        signal: options.signal,
      },
      this.#running,
    );
    return toExecResult(raw);
  }

  async readFile(file: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    this.#assertAlive();
    const resolved = await resolveInsideRoot(this.#root, this.#workspace, file);
    return new Uint8Array(await readFile(resolved, { signal: options.signal }));
  }

  async writeFile(file: string, content: Uint8Array | string, options: { signal?: AbortSignal } = {}) {
    this.#assertAlive();
    const resolved = await resolveInsideRoot(this.#root, this.#workspace, file);
    await mkdir(path.dirname(resolved), { recursive: true });
    // Re-check: mkdir could have followed a link planted between the check and now.
    const again = await resolveInsideRoot(this.#root, this.#workspace, file);
    await writeFile(again, content, { signal: options.signal });
  }

  checkpoint(label: string, options: { signal?: AbortSignal } = {}): Promise<Checkpoint> {
    return this.#lifecycle.run(async () => {
      this.#assertAlive();
      // A command still writing would make the copy a blend of two moments.
      await this.#running.killAll();
      const checkpoint = { id: newCheckpointId(), label, createdAt: new Date().toISOString() };
      const target = path.join(this.#dir, "checkpoints", checkpoint.id);
      await this.#copy(this.#root, `${target}.partial`, options.signal);
      await rename(`${target}.partial`, target);
      const state = await this.#state();
      state.checkpoints.push(checkpoint);
      await writeSandboxState(this.#dir, state);
      return checkpoint;
    });
  }

  async listCheckpoints(options: { signal?: AbortSignal } = {}): Promise<Checkpoint[]> {
    options.signal?.throwIfAborted();
    this.#assertAlive();
    return (await this.#state()).checkpoints.map(({ id, label, createdAt }) => ({ id, label, createdAt }));
  }

  restore(checkpointId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#lifecycle.run(async () => {
      this.#assertAlive();
      const state = await this.#state();
      if (!state.checkpoints.some((checkpoint) => checkpoint.id === checkpointId)) {
        throw new AppError("sandbox_checkpoint_unknown", `no checkpoint ${checkpointId}`);
      }
      await this.#running.killAll();
      const source = path.join(this.#dir, "checkpoints", checkpointId);
      const staging = path.join(this.#dir, "root.restoring");
      await rm(staging, { recursive: true, force: true });
      await this.#copy(source, staging, options.signal);
      const trash = path.join(this.#dir, `root.trash-${Date.now()}`);
      await rename(this.#root, trash);
      await rename(staging, this.#root);
      await rm(trash, { recursive: true, force: true });
    });
  }

  destroy(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#lifecycle.run(async () => {
      options.signal?.throwIfAborted();
      if (this.#destroyed) return;
      this.#destroyed = true;
      await this.#running.killAll();
      await rm(this.#dir, { recursive: true, force: true });
      this.#settings.onDestroyed();
    });
  }

  /** Stops commands; the tree stays for the next start (persistent sandboxes). */
  async close(): Promise<void> {
    await this.#running.killAll();
  }

  /** No mounts here: a `bind` source is copied too (the provider warns once). */
  async seed(source: SeedSource): Promise<void> {
    const target = await resolveInsideRoot(this.#root, this.#workspace, source.to);
    await mkdir(path.dirname(target), { recursive: true });
    await this.#copy(source.from, target, undefined);
  }

  async markReady(): Promise<void> {
    const state = await this.#state();
    state.ready = true;
    await writeSandboxState(this.#dir, state);
  }

  async #state(): Promise<SandboxState> {
    const state = await readSandboxState(this.#dir);
    if (!state) throw new AppError("sandbox_state_missing", `sandbox ${this.id} has no state`);
    return state;
  }

  async #copy(from: string, to: string, signal: AbortSignal | undefined): Promise<void> {
    const result = await runProcess({
      file: "cp",
      args: ["-a", "--reflink=auto", "--", from, to],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      timeoutMs: 10 * 60_000,
      maxOutputBytes: 64 * 1024,
      signal,
    });
    if (result.exitCode !== 0) {
      throw new AppError("sandbox_copy_failed", `cp -a failed: ${result.stderr.toString("utf8").trim()}`);
    }
  }

  #baseEnv(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: path.join(this.#root, "home"),
      TMPDIR: path.join(this.#root, "tmp"),
      LANG: "C.UTF-8",
    };
  }

  #assertAlive(): void {
    if (this.#destroyed) throw new AppError("sandbox_destroyed", `sandbox ${this.id} was destroyed`);
  }
}
