import { createHash } from "node:crypto";

/** Marks a Sprite as one of ours; the sweeper lists Sprites by this label. */
export const OWNER_LABEL = "threadhands";
/** Added once the first creator finished the setup commands; other workers wait for it. */
export const READY_LABEL = "threadhands-ready";

const MAX_NAME_LENGTH = 50;

/** The hash that ties a Sprite to its thread key; also in a label so the sweeper can match keys. */
export function threadKeyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/**
 * A thread key ("slack:T01/C02/1712345678.000100") becomes one Sprite name. Names end up in
 * hostnames (`<name>-<org>.sprites.app`), so only lowercase letters, digits and single hyphens,
 * bounded in length. The readable part is lossy; the hash of the whole key keeps two keys that
 * sanitise alike apart.
 */
export function spriteNameForKey(key: string, prefix = "th"): string {
  const hash = threadKeyHash(key);
  const room = MAX_NAME_LENGTH - prefix.length - hash.length - 2;
  const readable = key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, Math.max(0, room))
    .replace(/-+$/g, "");
  return [prefix, readable, hash].filter((part) => part.length > 0).join("-");
}

/** Labels a new Sprite carries: ours, and which thread it belongs to (by key hash). */
export function labelsForKey(key: string): string[] {
  return [OWNER_LABEL, `${OWNER_LABEL}-key-${threadKeyHash(key)}`];
}

/** The key hash from a Sprite's labels, when it is one of ours. */
export function keyHashFromLabels(labels: readonly string[]): string | undefined {
  const prefix = `${OWNER_LABEL}-key-`;
  return labels.find((label) => label.startsWith(prefix))?.slice(prefix.length);
}

export function assertValidPrefix(prefix: string): void {
  if (!/^[a-z][a-z0-9]{0,9}$/.test(prefix)) {
    throw new TypeError(
      "a Sprite name prefix is 1 to 10 lowercase letters or digits, starting with a letter",
    );
  }
}
