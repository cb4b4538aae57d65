import { chmod, chown, mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";
import { toExecResult, UNCAPPED } from "../exec-result.ts";
import type { Checkpoint, ExecOptions, ExecResult } from "../sandbox.ts";
import { type BwrapProfile, SANDBOX_ROOT, SANDBOX_WORKSPACE, sandboxEnv } from "./bwrap-profile.ts";
import type { CgroupLimits } from "./cgroup-limits.ts";
import { egressRelay } from "./egress-relay.ts";
import type { LocalSandbox } from "./local-backend.ts";
import type { SeedSource } from "./local-options.ts";
import { foldLayers } from "./overlay-fold.ts";
import { isMounted, mountOverlay, unmount } from "./overlay-mounts.ts";
import { ENV_LOADER, encodeEnv, type RawRunResult, RunningProcesses, runProcess } from "./run-process.ts";
import { newCheckpointId } from "./sandbox-name.ts";
import { readSandboxState, type SandboxState, writeSandboxState } from "./sandbox-state.ts";
import { SerialQueue } from "./serial-queue.ts";

export interface IsolatedSandboxSettings {
  id: string;
  /** Holds `state.json`, layers `L/<n>`, the overlay workdir `W` and the mount point `M`. */
  dir: string;
  profile: BwrapProfile;
  cgroups: CgroupLimits;
  uid: number;
  gid: number;
  binds: SeedSource[];
  /** Allow-list mode: the host end of this sandbox's egress proxy socket. */
  egressSocket?: string;
  defaultTimeoutMs: number;
  maxOutputBytes: number;
  maxCheckpoints: number;
  onDestroyed(): void;
}

/**
 * Commands run in fresh namespaces (bwrap) over an overlay of layers. A checkpoint freezes the
 * writable layer and stacks an empty one, so its cost does not grow with the tree; restore drops
 * the layers above the checkpoint. Nothing else writes a layer: every command of the sandbox is
 * stopped before a layer is sealed or dropped.
 */
export class IsolatedSandbox implements LocalSandbox {
  readonly id: string;
  readonly #settings: IsolatedSandboxSettings;
  readonly #dir: string;
  readonly #merged: string;
  readonly #running = new RunningProcesses();
  readonly #lifecycle = new SerialQueue();
  readonly #trash = new Set<Promise<void>>();
  #destroyed = false;

  private constructor(settings: IsolatedSandboxSettings) {
    this.id = settings.id;
    this.#settings = settings;
    this.#dir = settings.dir;
    this.#merged = path.join(settings.dir, "M");
  }

  static async create(settings: IsolatedSandboxSettings, key: string): Promise<IsolatedSandbox> {
    await rm(settings.dir, { recursive: true, force: true });
    const base = path.join(settings.dir, "L", "0");
    for (const sub of ["workspace", "home", "tmp"]) {
      const dir = path.join(base, sub);
      await mkdir(dir, { recursive: true });
      await chown(dir, settings.uid, settings.gid);
    }
    await chmod(path.join(base, "tmp"), 0o1777);
    for (const bind of settings.binds) {
      await mkdir(path.join(base, "workspace", workspaceRelative(bind.to)), { recursive: true });
    }
    for (const sub of ["L/1", "W", "M"]) await mkdir(path.join(settings.dir, sub), { recursive: true });
    await writeSandboxState(settings.dir, {
      key,
      ready: false,
      checkpoints: [],
      upperLayer: 1,
      baseLayer: 0,
    });
    const sandbox = new IsolatedSandbox(settings);
    await sandbox.#mount(await sandbox.#state());
    return sandbox;
  }

  static async load(settings: IsolatedSandboxSettings): Promise<IsolatedSandbox> {
    const sandbox = new IsolatedSandbox(settings);
    if (!(await isMounted(sandbox.#merged))) await sandbox.#mount(await sandbox.#state());
    return sandbox;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return toExecResult(await this.#run(["/bin/bash", "-c", command], { ...options, network: true }));
  }

  async readFile(file: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    // Read as the sandbox user inside its namespace: the kernel, not our code, resolves links.
    const result = await this.#run(["/bin/bash", "-c", 'exec cat -- "$1"', "read", file], {
      ...options,
      maxOutputBytes: UNCAPPED,
    });
    if (result.exitCode !== 0) throw fileError("read", file, result);
    return new Uint8Array(result.stdout);
  }

  async writeFile(file: string, content: Uint8Array | string, options: { signal?: AbortSignal } = {}) {
    const script = 'mkdir -p -- "$(dirname -- "$1")" && exec cat > "$1"';
    const result = await this.#run(["/bin/bash", "-c", script, "write", file], {
      ...options,
      stdin: content,
    });
    if (result.exitCode !== 0) throw fileError("write", file, result);
  }

  checkpoint(label: string, options: { signal?: AbortSignal } = {}): Promise<Checkpoint> {
    return this.#lifecycle.run(async () => {
      this.#assertAlive();
      options.signal?.throwIfAborted();
      await this.#running.killAll();
      const state = await this.#state();
      const upper = state.upperLayer ?? 1;
      const checkpoint = {
        id: newCheckpointId(),
        label,
        createdAt: new Date().toISOString(),
        layer: upper - 1,
      };
      const upperEntries = await readdir(this.#layer(upper));
      if (upperEntries.length > 0) {
        await unmount(this.#merged);
        checkpoint.layer = upper;
        state.upperLayer = upper + 1;
        await mkdir(this.#layer(upper + 1));
        state.checkpoints.push(checkpoint);
        if (state.checkpoints.length > this.#settings.maxCheckpoints) await this.#fold(state);
        await writeSandboxState(this.#dir, state);
        await this.#mount(state);
      } else {
        state.checkpoints.push(checkpoint);
        await writeSandboxState(this.#dir, state);
      }
      return { id: checkpoint.id, label, createdAt: checkpoint.createdAt };
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
      options.signal?.throwIfAborted();
      const state = await this.#state();
      const target = state.checkpoints.find((checkpoint) => checkpoint.id === checkpointId);
      if (target?.layer === undefined) {
        throw new AppError("sandbox_checkpoint_unknown", `no checkpoint ${checkpointId}`);
      }
      await this.#running.killAll();
      await unmount(this.#merged);
      const trash = path.join(this.#dir, `T-${Date.now().toString(36)}`);
      await mkdir(trash);
      for (let layer = target.layer + 1; layer <= (state.upperLayer ?? 1); layer++) {
        await rename(this.#layer(layer), path.join(trash, String(layer))).catch(() => {});
      }
      await mkdir(this.#layer(target.layer + 1));
      state.upperLayer = target.layer + 1;
      // Later checkpoints lived in the dropped layers.
      state.checkpoints = state.checkpoints.filter(
        (checkpoint) => (checkpoint.layer ?? 0) <= (target.layer ?? 0),
      );
      await writeSandboxState(this.#dir, state);
      await this.#mount(state);
      this.#dispose(trash);
    });
  }

  destroy(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#lifecycle.run(async () => {
      options.signal?.throwIfAborted();
      if (this.#destroyed) return;
      this.#destroyed = true;
      await this.#running.killAll();
      if (await isMounted(this.#merged)) await unmount(this.#merged);
      await this.#settings.cgroups.remove(this.id);
      await Promise.all(this.#trash);
      await rm(this.#dir, { recursive: true, force: true });
      this.#settings.onDestroyed();
    });
  }

  async close(): Promise<void> {
    await this.#lifecycle.run(async () => {
      await this.#running.killAll();
      if (!this.#destroyed && (await isMounted(this.#merged))) await unmount(this.#merged);
      await Promise.all(this.#trash);
    });
  }

  async seed(source: SeedSource): Promise<void> {
    const relative = workspaceRelative(source.to);
    if (source.mode === "bind") return; // mounted read-only by every command
    const target = path.join(this.#merged, "workspace", relative);
    await mkdir(path.dirname(target), { recursive: true });
    const copy = await runProcess({
      file: "cp",
      args: ["-a", "--", source.from, target],
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 10 * 60_000,
      maxOutputBytes: 64 * 1024,
    });
    if (copy.exitCode !== 0) throw new AppError("sandbox_seed_failed", `copy of ${source.from} failed`);
    const own = await runProcess({
      file: "chown",
      args: ["-R", "--no-dereference", `${this.#settings.uid}:${this.#settings.gid}`, "--", target],
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 10 * 60_000,
      maxOutputBytes: 64 * 1024,
    });
    if (own.exitCode !== 0) throw new AppError("sandbox_seed_failed", `chown of ${target} failed`);
  }

  async markReady(): Promise<void> {
    const state = await this.#state();
    state.ready = true;
    await writeSandboxState(this.#dir, state);
  }

  async #run(
    argv: string[],
    options: Omit<ExecOptions, "stdin"> & { stdin?: Uint8Array | string; network?: boolean },
  ): Promise<RawRunResult> {
    await this.#lifecycle.idle();
    this.#assertAlive();
    const cwd = path.posix.resolve(SANDBOX_WORKSPACE, options.cwd ?? ".");
    const env = options.env && Object.keys(options.env).length > 0 ? encodeEnv(options.env) : undefined;
    const loaded = env ? ["/bin/bash", "-c", ENV_LOADER, "loader", ...argv.slice(2)] : argv;
    // File reads and writes need no network; only commands pay for the relay.
    const relay =
      options.network && this.#settings.egressSocket ? egressRelay(this.#settings.egressSocket) : undefined;
    const command = relay ? relay.wrap(loaded) : loaded;
    const bwrap = [
      ...this.#settings.profile.prefix,
      "--bind",
      this.#merged,
      SANDBOX_ROOT,
      ...this.#settings.binds.flatMap((bind) => [
        "--ro-bind",
        bind.from,
        path.posix.join(SANDBOX_WORKSPACE, workspaceRelative(bind.to)),
      ]),
      ...(relay?.bwrapArgs ?? []),
      "--chdir",
      cwd,
      "--",
      ...this.#settings.profile.userSwitch,
      ...command,
    ];
    const procs = await this.#settings.cgroups.prepare(this.id);
    // Join the cgroups before bwrap forks, so nothing in the sandbox starts outside them.
    const join = procs.map((file) => `echo $$ > '${file}'`).join(" && ");
    return runProcess(
      {
        file: procs.length > 0 ? "/bin/sh" : "bwrap",
        args: procs.length > 0 ? ["-c", `${join} && exec bwrap "$@"`, "join", ...bwrap] : bwrap,
        env: { ...sandboxEnv(), ...relay?.env },
        stdin: options.stdin,
        fd3: env,
        timeoutMs: options.timeoutMs ?? this.#settings.defaultTimeoutMs,
        maxOutputBytes: options.maxOutputBytes ?? this.#settings.maxOutputBytes,
        signal: options.signal,
      },
      this.#running,
    );
  }

  async #fold(state: SandboxState): Promise<void> {
    const excess = state.checkpoints.length - this.#settings.maxCheckpoints;
    const dropped = state.checkpoints.slice(0, excess);
    const foldTo = Math.max(...dropped.map((checkpoint) => checkpoint.layer ?? 0));
    const trash = await foldLayers({ dir: this.#dir, base: state.baseLayer ?? 0, top: foldTo });
    state.baseLayer = foldTo;
    state.checkpoints = state.checkpoints.slice(excess);
    this.#dispose(trash);
  }

  #mount(state: SandboxState): Promise<void> {
    const upper = state.upperLayer ?? 1;
    const lowers: string[] = [];
    for (let layer = upper - 1; layer >= (state.baseLayer ?? 0); layer--) lowers.push(`L/${layer}`);
    return mountOverlay({ cwd: this.#dir, lowers, upper: `L/${upper}`, work: "W", target: this.#merged });
  }

  /** Dropped layers are deleted in the background; restore should not wait for a big `rm -rf`. */
  #dispose(trash: string): void {
    const removal = rm(trash, { recursive: true, force: true }).catch(() => {});
    this.#trash.add(removal);
    void removal.then(() => this.#trash.delete(removal));
  }

  #layer(index: number): string {
    return path.join(this.#dir, "L", String(index));
  }

  async #state(): Promise<SandboxState> {
    const state = await readSandboxState(this.#dir);
    if (!state) throw new AppError("sandbox_state_missing", `sandbox ${this.id} has no state`);
    return state;
  }

  #assertAlive(): void {
    if (this.#destroyed) throw new AppError("sandbox_destroyed", `sandbox ${this.id} was destroyed`);
  }
}

/** Seed targets are workspace-relative; `..` must not lead a bind or copy out of the sandbox. */
export function workspaceRelative(to: string): string {
  const normalized = path.posix.normalize(
    to.startsWith(SANDBOX_WORKSPACE) ? to.slice(SANDBOX_WORKSPACE.length) : to,
  );
  const relative = normalized.replace(/^\/+/, "");
  if (relative === "" || relative === "." || relative.startsWith("..")) {
    throw new AppError("sandbox_seed_invalid", `seed target must be inside the workspace: ${to}`);
  }
  return relative;
}

function fileError(verb: string, file: string, result: RawRunResult): AppError {
  const detail = result.stderr.toString("utf8").trim().split("\n").at(-1) ?? "";
  return new AppError("sandbox_file_failed", `cannot ${verb} ${file}: ${detail}`);
}
