import { createHash } from "node:crypto";

/**
 * A thread key (e.g. "slack:T01/C02/1712345678.000100") becomes one directory name. The readable
 * part is lossy, so a hash of the whole key keeps two keys that sanitise alike from colliding.
 */
export function sandboxDirectoryName(key: string): string {
  const readable = key
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 40);
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 12);
  return readable.length > 0 ? `${readable}-${hash}` : hash;
}

export function newCheckpointId(): string {
  return `cp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
