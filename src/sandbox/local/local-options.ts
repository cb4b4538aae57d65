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

/**
 * `off`: the sandbox's own network namespace with loopback only. `on`: the host's network (so also
 * the host's loopback services, e.g. Redis). `allowlist`: still its own namespace, plus a proxy on
 * 127.0.0.1:3128 that lets through HTTP(S) to the listed hosts only: `api.github.com`,
 * `*.example.com` (names below it), either with `:port` (default 80 and 443). Namespaces only.
 */
export type LocalNetwork = { mode: "off" } | { mode: "on" } | { mode: "allowlist"; allow: string[] };

export interface LocalSandboxOptions {
  /** Where sandboxes live, e.g. `.threadhands/sandboxes`. One provider per rootDir. */
  rootDir: string;
  /** `auto` picks namespaces when they work here and says so when it falls back. */
  isolation: "auto" | "namespaces" | "portable";
  network: LocalNetwork;
  limits?: { memoryMb?: number; pids?: number; cpuPercent?: number };
  seed?: { sources: SeedSource[]; setup: string[] };
  defaultTimeoutMs: number;
  maxOutputBytes: number;
  logger?: LocalSandboxLogger;
  /** The unprivileged uid/gid commands run as when the bot is root (namespaces only). */
  sandboxUid?: number;
  /** How the egress proxy resolves allowed names (allow-list mode); the system resolver by default. */
  resolveHost?: (host: string, signal: AbortSignal) => Promise<string[]>;
  /** Older checkpoints are folded into the base layer beyond this many (namespaces only). */
  maxCheckpoints?: number;
}

export const silentLogger: LocalSandboxLogger = {
  info() {},
  warn() {},
  error() {},
};
