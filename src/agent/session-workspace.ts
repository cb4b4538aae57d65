import type { Checkpoint, CommandRunner, Sandbox, SandboxProvider } from "../sandbox/sandbox.ts";

/**
 * A thread's view of its sandbox: created on first use (the first tool call that needs files),
 * handed to tools as a bare runner so a tool can never restore or destroy it.
 */
export interface SessionWorkspace {
  runner(signal?: AbortSignal): Promise<CommandRunner>;
  checkpoint(label: string, signal?: AbortSignal): Promise<Checkpoint>;
}

export function createSessionWorkspace(provider: SandboxProvider, key: string): SessionWorkspace {
  let opened: Promise<Sandbox> | undefined;
  const sandbox = (signal?: AbortSignal) => {
    opened ??= provider.open(key, { signal }).catch((error: unknown) => {
      opened = undefined; // the next tool call tries again
      throw error;
    });
    return opened;
  };
  return {
    async runner(signal) {
      const box = await sandbox(signal);
      return {
        exec: (command, options) => box.exec(command, options),
        readFile: (path, options) => box.readFile(path, options),
        writeFile: (path, content, options) => box.writeFile(path, content, options),
      };
    },
    async checkpoint(label, signal) {
      return (await sandbox(signal)).checkpoint(label, { signal });
    },
  };
}
