import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildBwrapProfile } from "./bwrap-profile.ts";
import { createCgroupLimits } from "./cgroup-limits.ts";
import { createEgressProxy, type EgressProxy } from "./egress-proxy.ts";
import { assertRelayAvailable } from "./egress-relay.ts";
import { IsolatedSandbox, type IsolatedSandboxSettings } from "./isolated-sandbox.ts";
import type { LocalBackend, LocalSandbox } from "./local-backend.ts";
import { type LocalSandboxOptions, silentLogger } from "./local-options.ts";
import { mountOverlay, mountsUnder, unmount } from "./overlay-mounts.ts";
import { runProcess } from "./run-process.ts";

const DEFAULT_UID = 47000;

/**
 * Namespaces and overlay layers need root here (bwrap 0.8 cannot mount overlays itself, and the
 * kernel lets only root mount one in the initial namespace). Returns a reason when this host
 * cannot, so the provider can fall back and say why.
 */
export async function createIsolatedBackend(
  options: LocalSandboxOptions,
  rootDir: string,
): Promise<LocalBackend | { unavailable: string }> {
  if (process.platform !== "linux") return { unavailable: `${process.platform} has no namespaces` };
  if (process.getuid?.() !== 0) return { unavailable: "overlay layers need root (bot runs unprivileged)" };
  const stateDir = path.join(rootDir, ".provider");
  await mkdir(stateDir, { recursive: true });
  // A bot that crashed left mounts and cgroups behind; its processes died with it (bwrap --die-with-parent).
  for (const point of await mountsUnder(rootDir)) await unmount(point);
  const instance = createHash("sha256").update(rootDir).digest("hex").slice(0, 10);
  const cgroups = await createCgroupLimits(options.limits ?? {}, instance);
  await cgroups.removeAll();
  await removeTrash(rootDir);

  const uid = options.sandboxUid ?? DEFAULT_UID;
  const profile = await buildBwrapProfile({ stateDir, network: options.network.mode, uid, gid: uid });
  const failure = await probe(stateDir, profile.prefix, profile.userSwitch);
  if (failure) return { unavailable: failure };

  const egress = await startEgress(options, stateDir, instance, uid);
  const settings = async (dir: string, onDestroyed: () => void): Promise<IsolatedSandboxSettings> => ({
    id: path.basename(dir),
    dir,
    egressSocket: await egress?.attach(path.basename(dir)),
    profile,
    cgroups,
    uid,
    gid: uid,
    binds: (options.seed?.sources ?? []).filter((source) => source.mode === "bind"),
    defaultTimeoutMs: options.defaultTimeoutMs,
    maxOutputBytes: options.maxOutputBytes,
    maxCheckpoints: options.maxCheckpoints ?? 50,
    onDestroyed: () => {
      void egress?.detach(path.basename(dir)).catch(() => {});
      onDestroyed();
    },
  });
  const network = {
    off: "network off (loopback only)",
    on: "network on",
    allowlist: "network off but an allow-list proxy on 127.0.0.1:3128",
  }[options.network.mode];
  return {
    description: `local sandbox, isolated (bwrap namespaces: mount/pid/ipc/uts/net, uid ${uid}; overlay checkpoints; ${network}; ${cgroups.description})`,
    create: async (dir, key, onDestroyed): Promise<LocalSandbox> =>
      IsolatedSandbox.create(await settings(dir, onDestroyed), key),
    load: async (dir, _key, onDestroyed): Promise<LocalSandbox> =>
      IsolatedSandbox.load(await settings(dir, onDestroyed)),
    close: async () => egress?.close(),
  };
}

/** One proxy per provider; each sandbox gets its own socket on it, bound into its namespace. */
async function startEgress(
  options: LocalSandboxOptions,
  stateDir: string,
  instance: string,
  uid: number,
): Promise<EgressProxy | undefined> {
  if (options.network.mode !== "allowlist") return undefined;
  await assertRelayAvailable();
  // A Unix socket path has room for 107 bytes; a deep rootDir would not leave enough.
  const preferred = path.join(stateDir, "egress");
  const socketDir = preferred.length <= 80 ? preferred : path.join(tmpdir(), `th-egress-${instance}`);
  return createEgressProxy({
    allow: options.network.allow,
    socketDir,
    socketUid: uid,
    socketGid: uid,
    logger: options.logger ?? silentLogger,
    resolveHost: options.resolveHost,
  });
}

/** One real overlay mount and one real command, so a host that cannot is caught at startup. */
async function probe(stateDir: string, prefix: string[], userSwitch: string[]): Promise<string | undefined> {
  const dir = await mkdtemp(path.join(stateDir, "probe-"));
  try {
    for (const sub of ["lower", "upper", "work", "merged"]) await mkdir(path.join(dir, sub));
    await writeFile(path.join(dir, "lower", "file"), "x");
    await mountOverlay({
      cwd: dir,
      lowers: ["lower"],
      upper: "upper",
      work: "work",
      target: path.join(dir, "merged"),
    });
    try {
      const result = await runProcess({
        file: "bwrap",
        args: [...prefix, "--bind", path.join(dir, "merged"), "/sandbox", "--", ...userSwitch, "/bin/true"],
        env: { PATH: "/usr/bin:/bin" },
        timeoutMs: 10_000,
        maxOutputBytes: 16 * 1024,
      });
      if (result.exitCode !== 0) return `bwrap failed: ${result.stderr.toString().trim()}`;
    } finally {
      await unmount(path.join(dir, "merged"));
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function removeTrash(rootDir: string): Promise<void> {
  for (const name of await readdir(rootDir)) {
    for (const entry of await readdir(path.join(rootDir, name)).catch(() => [])) {
      if (entry.startsWith("T-") || entry === "F") {
        await rm(path.join(rootDir, name, entry), { recursive: true, force: true });
      }
    }
  }
}
