import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/** What survives a bot restart, next to the sandbox's files. `ready` is written last on creation. */
export interface SandboxState {
  key: string;
  ready: boolean;
  checkpoints: StoredCheckpoint[];
  /** Overlay backend: index of the writable layer; layers below it are frozen. */
  upperLayer?: number;
  /** Overlay backend: the lowest layer; older ones were folded into it. */
  baseLayer?: number;
}

export interface StoredCheckpoint {
  id: string;
  label: string;
  createdAt: string;
  /** Overlay backend: the checkpoint is layers 0..layer. */
  layer?: number;
}

const FILE = "state.json";

export async function readSandboxState(dir: string): Promise<SandboxState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, FILE), "utf8")) as SandboxState;
  } catch {
    return undefined;
  }
}

/** Rename is atomic, so a crash leaves the old state or the new one, never half of either. */
export async function writeSandboxState(dir: string, state: SandboxState): Promise<void> {
  const temporary = path.join(dir, `${FILE}.${process.pid}.tmp`);
  await writeFile(temporary, JSON.stringify(state));
  await rename(temporary, path.join(dir, FILE));
}
