/**
 * The hands. One sandbox belongs to exactly one thread. Paths are inside the sandbox: absolute
 * ones as the command sees them, relative ones against the sandbox's working directory.
 */

export interface ExecOptions {
  /** Working directory inside the sandbox; defaults to the sandbox's workspace. */
  cwd?: string;
  /** Extra variables for this one process tree only; never written into the sandbox. */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Cap on stdout and stderr each; the rest is dropped and `truncated` set. */
  maxOutputBytes?: number;
  stdin?: string;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** null when the process was killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export interface Checkpoint {
  id: string;
  label: string;
  createdAt: string;
}

/** What tools get: run things and move files, but not the sandbox's lifecycle. */
export interface CommandRunner {
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  readFile(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  writeFile(path: string, content: Uint8Array | string, options?: { signal?: AbortSignal }): Promise<void>;
}

export interface Sandbox extends CommandRunner {
  readonly id: string;
  checkpoint(label: string, options?: { signal?: AbortSignal }): Promise<Checkpoint>;
  listCheckpoints(options?: { signal?: AbortSignal }): Promise<Checkpoint[]>;
  /** Byte-exact return to the checkpoint. A command still running is stopped first. */
  restore(checkpointId: string, options?: { signal?: AbortSignal }): Promise<void>;
  destroy(options?: { signal?: AbortSignal }): Promise<void>;
}

export interface SandboxProvider {
  /** A short line for the startup log: which backend, which isolation. */
  readonly description: string;
  /** The thread's sandbox, created (and seeded) on first use. Concurrent opens get one sandbox. */
  open(key: string, options?: { signal?: AbortSignal }): Promise<Sandbox>;
  /** The thread's sandbox if it exists, without creating one. */
  find(key: string, options?: { signal?: AbortSignal }): Promise<Sandbox | undefined>;
  /** What a thread is told about its sandbox: a stable name and how ready it is. */
  describe(key: string, options?: { signal?: AbortSignal }): Promise<SandboxDescription>;
  /** The stable name a key's sandbox has (a Sprite name, a directory). */
  nameFor(key: string): string;
  /** Every sandbox this provider made, live or orphaned by a crash: for the sweeper. */
  ownedNames(options?: { signal?: AbortSignal }): Promise<string[]>;
  /** Destroys one of ours by name; false when it was already gone. */
  destroyByName(name: string, options?: { signal?: AbortSignal }): Promise<boolean>;
  close(): Promise<void>;
}

export interface SandboxDescription {
  name: string;
  /** cold: exists but asleep; warm: ready; running: a command is executing; absent: not created. */
  state: "cold" | "warm" | "running" | "absent";
}
