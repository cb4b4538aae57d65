import path from "node:path";
import type { LocalBackend, LocalSandbox } from "./local-backend.ts";
import { PortableSandbox } from "./portable-sandbox.ts";

export function createPortableBackend(options: {
  defaultTimeoutMs: number;
  maxOutputBytes: number;
  reason: string;
}): LocalBackend {
  const settings = (dir: string, onDestroyed: () => void) => ({
    id: path.basename(dir),
    dir,
    defaultTimeoutMs: options.defaultTimeoutMs,
    maxOutputBytes: options.maxOutputBytes,
    onDestroyed,
  });
  return {
    description: `local sandbox, portable (no isolation: ${options.reason}; checkpoints are full copies)`,
    create: (dir, key, onDestroyed): Promise<LocalSandbox> =>
      PortableSandbox.create(settings(dir, onDestroyed), key),
    load: async (dir, _key, onDestroyed): Promise<LocalSandbox> =>
      new PortableSandbox(settings(dir, onDestroyed)),
    close: async () => {},
  };
}
