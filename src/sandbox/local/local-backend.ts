import type { Sandbox } from "../sandbox.ts";
import type { SeedSource } from "./local-options.ts";

/** A sandbox the provider can finish seeding and stop on shutdown. */
export interface LocalSandbox extends Sandbox {
  /** Copies or mounts one seed source; called before `markReady`. */
  seed(source: SeedSource): Promise<void>;
  markReady(): Promise<void>;
  close(): Promise<void>;
}

/** One way of making sandboxes under a directory: isolated (namespaces + overlay) or portable. */
export interface LocalBackend {
  readonly description: string;
  create(dir: string, key: string, onDestroyed: () => void): Promise<LocalSandbox>;
  load(dir: string, key: string, onDestroyed: () => void): Promise<LocalSandbox>;
  close(): Promise<void>;
}
