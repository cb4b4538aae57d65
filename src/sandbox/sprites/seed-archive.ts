import type { Stats } from "node:fs";
import { lstat, readdir, readFile, readlink, stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";
import { shellQuote } from "../shell-quote.ts";
import { TAR_END, type TarEntry, tarEntry } from "./tar-writer.ts";

/** A host tree (or file) that every new Sprite starts with, as on the local backend. */
export interface SpritesSeedSource {
  /** A host path. */
  from: string;
  /** Where it appears, relative to the Sprite's workspace. */
  to: string;
  /** A Sprite cannot mount host paths: `bind` is copied, then made read-only. */
  mode: "copy" | "bind";
}

/** A seed target as a workspace-relative path; `..` must not lead a copy out of the workspace. */
export function seedTarget(to: string): string {
  const relative = path.posix.normalize(to).replace(/^\/+/, "").replace(/\/+$/, "");
  if (relative === "" || relative === "." || relative === ".." || relative.startsWith("../")) {
    throw new AppError("sandbox_seed_invalid", `seed target must be inside the workspace: ${to}`);
  }
  return relative;
}

/**
 * Every source in one tar archive, members named by their `to`. Held in memory: the fs write
 * endpoint wants the whole body with its length, as the SDK sends it.
 */
export async function packSeedArchive(
  sources: readonly SpritesSeedSource[],
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const firstPathOfInode = new Map<string, string>();
  const emit = (entry: TarEntry): void => {
    chunks.push(...tarEntry(entry));
  };

  async function walk(hostPath: string, member: string, stats: Stats): Promise<void> {
    signal?.throwIfAborted();
    const common = { name: member, mode: stats.mode & 0o7777, mtime: stats.mtimeMs / 1000 };
    if (stats.isDirectory()) {
      emit({ type: "directory", ...common });
      const names = (await hostRead(hostPath, () => readdir(hostPath))).sort();
      for (const name of names) {
        const child = path.join(hostPath, name);
        await walk(child, `${member}/${name}`, await hostRead(child, () => lstat(child)));
      }
    } else if (stats.isSymbolicLink()) {
      emit({ type: "symlink", ...common, target: await hostRead(hostPath, () => readlink(hostPath)) });
    } else if (stats.isFile()) {
      // Hard links inside the sources stay hard links, as `cp -a` keeps them locally.
      const inode = `${stats.dev}:${stats.ino}`;
      const first = stats.nlink > 1 ? firstPathOfInode.get(inode) : undefined;
      if (first) return emit({ type: "hardlink", ...common, target: first });
      if (stats.nlink > 1) firstPathOfInode.set(inode, member);
      emit({ type: "file", ...common, content: await hostRead(hostPath, () => readFile(hostPath)) });
    } else if (stats.isFIFO()) {
      emit({ type: "fifo", ...common });
    }
    // Sockets and device files mean nothing on another machine: left out.
  }

  for (const source of sources) {
    const member = seedTarget(source.to);
    // The source itself is followed (a configured `/srv/runbooks` may be a link); a link to a
    // host path would dangle in the Sprite. Links inside it are kept as links.
    const stats = await stat(source.from).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") {
        throw new AppError(
          "sandbox_seed_source_missing",
          `seed source ${source.from} (for ${source.to}) does not exist`,
        );
      }
      throw unreadable(source.from, error);
    });
    await walk(source.from, member, stats);
  }
  chunks.push(TAR_END);
  return Buffer.concat(chunks);
}

/**
 * One shell script for the Sprite: make each target's directory, unpack, drop the archive, and
 * take the write bits off `bind` targets. A Sprite has no mounts to make a host tree read-only
 * as the local backend's `--ro-bind` does, so read-only here is by mode, which holds for the
 * Sprite's unprivileged user (root, or a `chmod` back, could still write).
 */
export function unpackScript(archive: string, sources: readonly SpritesSeedSource[]): string {
  const dirs = sources.map((source) => path.posix.dirname(seedTarget(source.to)));
  const readOnly = sources.filter((source) => source.mode === "bind").map((source) => seedTarget(source.to));
  const lines = [
    "set -e",
    `trap ${shellQuote(`rm -f -- ${shellQuote(archive)}`)} EXIT`,
    // Each target's parent only: the target itself is a member, so it gets the source's mode
    // and a file source does not meet a directory already standing in its place.
    `mkdir -p -- ${dirs.map(shellQuote).join(" ")}`,
    // -p keeps modes exactly (no umask); ownership goes to whoever unpacks.
    `tar -x -p --no-same-owner -f ${shellQuote(archive)}`,
  ];
  if (readOnly.length > 0) lines.push(`chmod -R a-w -- ${readOnly.map(shellQuote).join(" ")}`);
  return `${lines.join("\n")}\n`;
}

async function hostRead<T>(hostPath: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw unreadable(hostPath, error as NodeJS.ErrnoException);
  }
}

/** Names the path and the errno, never what the file holds. */
function unreadable(hostPath: string, error: NodeJS.ErrnoException): AppError {
  return new AppError(
    "sandbox_seed_failed",
    `cannot read seed source ${hostPath}: ${error.code ?? "error"}`,
    {
      cause: error,
    },
  );
}
