import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";
import type { Sandbox, SandboxProvider } from "../sandbox.ts";
import { createIsolatedBackend } from "./isolated-backend.ts";
import type { LocalBackend, LocalSandbox } from "./local-backend.ts";
import { type LocalSandboxOptions, silentLogger } from "./local-options.ts";
import { createPortableBackend } from "./portable-backend.ts";
import { claimRootDir } from "./root-dir-owner.ts";
import { sandboxDirectoryName } from "./sandbox-name.ts";
import { readSandboxState } from "./sandbox-state.ts";

export type { LocalSandboxLogger, LocalSandboxOptions, SeedSource } from "./local-options.ts";

/**
 * Sandboxes on this machine, one directory per thread under `rootDir`. With `isolation: "auto"`
 * commands run in namespaces on overlay layers when this host allows it, otherwise as plain
 * processes (said in `description` and in a warning, never silently).
 */
export async function createLocalSandboxProvider(options: LocalSandboxOptions): Promise<SandboxProvider> {
  const logger = options.logger ?? silentLogger;
  const rootDir = path.resolve(options.rootDir);
  await mkdir(rootDir, { recursive: true });
  const owner = await claimRootDir(rootDir);
  const backend = await chooseBackend(options, rootDir).catch(async (error: unknown) => {
    await owner.release();
    throw error;
  });
  if (backend.description.includes("portable")) logger.warn({ rootDir }, backend.description);
  else logger.info({ rootDir }, backend.description);
  if (
    options.seed?.sources.some((source) => source.mode === "bind") &&
    backend.description.includes("portable")
  ) {
    logger.warn({}, "portable sandboxes cannot bind-mount; bind seed sources are copied");
  }
  await removeHalfCreated(rootDir);

  const opened = new Map<string, Promise<LocalSandbox>>();
  let closed = false;

  const dirOf = (key: string) => path.join(rootDir, sandboxDirectoryName(key));
  const forget = (key: string) => () => opened.delete(key);

  async function createSeeded(key: string): Promise<LocalSandbox> {
    const dir = dirOf(key);
    const existing = await readSandboxState(dir);
    if (existing?.ready) return backend.load(dir, key, forget(key));
    const sandbox = await backend.create(dir, key, forget(key));
    try {
      for (const source of options.seed?.sources ?? []) await sandbox.seed(source);
      for (const command of options.seed?.setup ?? []) {
        const result = await sandbox.exec(command);
        if (result.exitCode !== 0) {
          throw new AppError(
            "sandbox_setup_failed",
            `setup command failed with exit ${result.exitCode ?? result.signal}: ${command}\n${result.stderr.slice(-2000)}`,
          );
        }
      }
      await sandbox.markReady();
      logger.info({ sandbox: sandbox.id }, "sandbox created");
      return sandbox;
    } catch (error) {
      await sandbox.destroy().catch(() => {});
      throw error;
    }
  }

  function assertOpen(): void {
    if (closed) throw new AppError("sandbox_provider_closed", "the sandbox provider is closed");
  }

  return {
    description: backend.description,
    async open(key, openOptions = {}): Promise<Sandbox> {
      assertOpen();
      openOptions.signal?.throwIfAborted();
      let pending = opened.get(key);
      if (!pending) {
        pending = createSeeded(key);
        opened.set(key, pending);
        // A failed creation must not poison the key for the next attempt.
        pending.catch(() => opened.delete(key));
      }
      return pending;
    },
    async find(key, findOptions = {}): Promise<Sandbox | undefined> {
      assertOpen();
      findOptions.signal?.throwIfAborted();
      const pending = opened.get(key);
      if (pending) return pending;
      const state = await readSandboxState(dirOf(key));
      if (!state?.ready) return undefined;
      const loaded = backend.load(dirOf(key), key, forget(key));
      opened.set(key, loaded);
      return loaded;
    },
    nameFor: (key) => sandboxDirectoryName(key),
    async describe(key) {
      const name = sandboxDirectoryName(key);
      const state = await readSandboxState(dirOf(key));
      return { name, state: state?.ready ? "warm" : "absent" };
    },
    async ownedNames() {
      return (await readdir(rootDir)).filter((name) => !name.startsWith("."));
    },
    async destroyByName(name) {
      assertOpen();
      const dir = path.join(rootDir, path.basename(name));
      const state = await readSandboxState(dir);
      if (!state) return false;
      for (const [key, pending] of opened) {
        if (sandboxDirectoryName(key) === name) {
          await (await pending).destroy();
          return true;
        }
      }
      await (await backend.load(dir, name, () => {})).destroy();
      return true;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const sandboxes = await Promise.allSettled(opened.values());
      await Promise.all(
        sandboxes.map((settled) => (settled.status === "fulfilled" ? settled.value.close() : undefined)),
      );
      opened.clear();
      await backend.close();
      await owner.release();
    },
  };
}

async function chooseBackend(options: LocalSandboxOptions, rootDir: string): Promise<LocalBackend> {
  const common = {
    defaultTimeoutMs: options.defaultTimeoutMs,
    maxOutputBytes: options.maxOutputBytes,
    network: options.network.mode,
  };
  if (options.isolation === "portable") return createPortableBackend({ ...common, reason: "configured" });
  const isolated = await createIsolatedBackend(options, rootDir);
  if (!("unavailable" in isolated)) return isolated;
  if (options.isolation === "namespaces") {
    throw new AppError(
      "sandbox_isolation_unavailable",
      `namespace sandboxes unavailable: ${isolated.unavailable}`,
    );
  }
  return createPortableBackend({ ...common, reason: isolated.unavailable });
}

/** A crash during creation leaves a directory whose state never became ready. */
async function removeHalfCreated(rootDir: string): Promise<void> {
  for (const name of await readdir(rootDir)) {
    if (name.startsWith(".")) continue;
    const dir = path.join(rootDir, name);
    const state = await readSandboxState(dir);
    if (!state?.ready) await rm(dir, { recursive: true, force: true });
  }
}
