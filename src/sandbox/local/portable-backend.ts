import path from "node:path";
import { AppError } from "../../errors.ts";
import type { LocalBackend, LocalSandbox } from "./local-backend.ts";
import { PortableSandbox } from "./portable-sandbox.ts";

export function createPortableBackend(options: {
  defaultTimeoutMs: number;
  maxOutputBytes: number;
  reason: string;
  network: "off" | "on" | "allowlist";
}): LocalBackend {
  // Plain processes share the host's network: an allow-list here would be a promise not kept.
  if (options.network === "allowlist") {
    throw new AppError(
      "sandbox_egress_unenforceable",
      `sandbox.network allow-list needs namespace isolation, and this sandbox is portable (${options.reason}); use network "off" or "on", or run where namespaces work`,
    );
  }
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
