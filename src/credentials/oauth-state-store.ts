import type { ThreadRef } from "../chat/thread.ts";
import type { CredentialOwner } from "./owner.ts";

/** What a pending link remembers; the callback learns the user from this, never from the browser. */
export interface PendingLink {
  owner: CredentialOwner;
  provider: string;
  codeVerifier: string;
  redirectUri: string;
  createdAt: number;
  expiresAt: number;
  /** Where to confirm in chat once linked (optional: a DM link has no thread). */
  thread?: ThreadRef;
}

export type TakenLink = { status: "found"; link: PendingLink } | { status: "used" } | { status: "unknown" };

/**
 * Pending links keyed by a hash of their `state`, so a Redis dump does not hold usable states.
 * `take` is atomic and single-use: it returns the record once and leaves a tombstone, so a replay
 * is told apart from a state that never existed.
 */
export interface OAuthStateStore {
  put(stateHash: string, link: PendingLink, ttlMs: number, signal?: AbortSignal): Promise<void>;
  take(stateHash: string, signal?: AbortSignal): Promise<TakenLink>;
}
