import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";

/**
 * Maps a sandbox path to a host path that is provably inside `root`, following symlinks the way
 * the kernel would: the deepest existing ancestor is resolved with realpath, so a link anywhere
 * on the way that points out of the root is caught, and so is a dangling final link.
 */
export async function resolveInsideRoot(root: string, workspace: string, requested: string): Promise<string> {
  const realRoot = await realpath(root);
  const absolute = path.resolve(workspace, requested);
  let existing = absolute;
  const missing: string[] = [];
  for (;;) {
    try {
      const stats = await lstat(existing);
      if (stats.isSymbolicLink()) {
        // realpath throws for a dangling link; treat its target as unknown and refuse below.
        existing = await realpath(existing).catch(() => {
          throw outside(requested);
        });
      } else {
        existing = await realpath(existing);
      }
      break;
    } catch (error) {
      if (error instanceof AppError) throw error;
      const parent = path.dirname(existing);
      if (parent === existing) throw outside(requested);
      missing.unshift(path.basename(existing));
      existing = parent;
    }
  }
  const resolved = path.join(existing, ...missing);
  if (resolved !== realRoot && !resolved.startsWith(realRoot + path.sep)) throw outside(requested);
  return resolved;
}

function outside(requested: string): AppError {
  return new AppError("sandbox_path_outside", `path is outside the sandbox: ${requested}`);
}
