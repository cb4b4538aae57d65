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
}

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
    })().catch((error: unknown) => {
      opened = undefined; // the next tool call tries again
      throw error;
    });
    return opened;
  };
  return {
    async runner(signal) {
      const box = await sandbox(signal);
      return {
        exec: (command, execOptions) => box.exec(command, execOptions),
        readFile: (path, readOptions) => box.readFile(path, readOptions),
        writeFile: (path, content, writeOptions) => box.writeFile(path, content, writeOptions),
      };
    },
    async checkpoint(label, signal) {
      return (await sandbox(signal)).checkpoint(label, { signal });
    },
  };
}
