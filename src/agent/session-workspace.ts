import { AppError } from "../errors.ts";
import type { Checkpoint, CommandRunner, Sandbox, SandboxProvider } from "../sandbox/sandbox.ts";

/**
 * A thread's view of its sandbox: created on first use (the first tool call that needs files),
 * handed to tools as a bare runner so a tool can never restore or destroy it.
 */
export interface SessionWorkspace {
  runner(signal?: AbortSignal): Promise<CommandRunner>;
  checkpoint(label: string, signal?: AbortSignal): Promise<Checkpoint>;
}

export interface SessionWorkspaceOptions {
  provider: SandboxProvider;
  /** The thread key, or the channel's for persistent sandboxes shared by a channel. */
  sandboxKey: string;
  /** Runs before the sandbox is first opened in this turn (register it, tell the thread). */
  beforeOpen?: (signal?: AbortSignal) => Promise<void>;
  /** The sandbox vanished underneath (deleted, its host gone): the next use starts a fresh one. */
  onVanished?: (error: AppError) => Promise<void>;
}

/** Errors that mean the sandbox itself is gone, not that one command failed. */
const vanished = new Set(["sandbox_destroyed", "sprite_not_found", "sandbox_state_missing"]);

export function createSessionWorkspace(options: SessionWorkspaceOptions): SessionWorkspace {
  const { provider, sandboxKey } = options;
  let opened: Promise<Sandbox> | undefined;
  const sandbox = (signal?: AbortSignal) => {
    opened ??= (async () => {
      await options.beforeOpen?.(signal);
      const box = await provider.open(sandboxKey, { signal });
      // A fresh sandbox gets a "seeded" checkpoint: the state every later restore can go back to.
      if ((await box.listCheckpoints({ signal })).length === 0) await box.checkpoint("seeded", { signal });
      return box;
    })().catch(async (error: unknown) => {
      opened = undefined; // the next tool call tries again
      await noticeVanished(error);
      throw error;
    });
    return opened;
  };
  async function noticeVanished(error: unknown): Promise<void> {
    if (error instanceof AppError && vanished.has(error.code)) {
      opened = undefined;
      await options.onVanished?.(error);
    }
  }
  /** Lets a vanished sandbox's error through to the tool (the model is told) and forgets it. */
  const watch = async <T>(use: Promise<T>): Promise<T> => {
    try {
      return await use;
    } catch (error) {
      await noticeVanished(error);
      throw error;
    }
  };
  return {
    async runner(signal) {
      const box = await sandbox(signal);
      return {
        exec: (command, execOptions) => watch(box.exec(command, execOptions)),
        readFile: (path, readOptions) => watch(box.readFile(path, readOptions)),
        writeFile: (path, content, writeOptions) => watch(box.writeFile(path, content, writeOptions)),
      };
    },
    async checkpoint(label, signal) {
      return watch((await sandbox(signal)).checkpoint(label, { signal }));
    },
  };
}
