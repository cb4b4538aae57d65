import { createHash } from "node:crypto";

/** BullMQ job ids may not contain ':'; a digest of the platform id is stable and safe. */
export function jobIdFor(kind: string, platformId: string): string {
  return `${kind}-${createHash("sha256").update(platformId).digest("hex").slice(0, 40)}`;
}
