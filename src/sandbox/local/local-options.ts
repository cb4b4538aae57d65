export interface LocalSandboxLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SeedSource {
  /** A host path. */
  from: string;
  /** Where it appears, relative to the sandbox workspace. */
  to: string;
  /** `bind` is read-only; the portable backend has no mounts and copies instead. */
  mode: "copy" | "bind";
}

export interface LocalSandboxOptions {
  /** Where sandboxes live, e.g. `.threadhands/sandboxes`. One provider per rootDir. */
  rootDir: string;
  /** `auto` picks namespaces when they work here and says so when it falls back. */
  isolation: "auto" | "namespaces" | "portable";
  network: { mode: "off" | "on" };
  limits?: { memoryMb?: number; pids?: number; cpuPercent?: number };
  seed?: { sources: SeedSource[]; setup: string[] };
  defaultTimeoutMs: number;
  maxOutputBytes: number;
  logger?: LocalSandboxLogger;
  /** The unprivileged uid/gid commands run as when the bot is root (namespaces only). */
  sandboxUid?: number;
  /** Older checkpoints are folded into the base layer beyond this many (namespaces only). */
  maxCheckpoints?: number;
}

export const silentLogger: LocalSandboxLogger = {
  info() {},
  warn() {},
  error() {},
};
