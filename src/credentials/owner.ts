import type { ThreadRef } from "../chat/thread.ts";

/**
 * Whose credential it is: one chat user in one workspace. The same person in two workspaces is
 * two owners on purpose — a token linked in one Slack team must never serve another.
 */
export interface CredentialOwner {
  platform: ThreadRef["platform"];
  /** Slack team id, Discord guild id. */
  workspace: string;
  /** The platform's user id. */
  user: string;
}

/**
 * `platform:workspace:user` with each part percent-encoded, so a `:` (or a Redis hash-tag brace)
 * inside an id cannot make two different owners share a key or associated data.
 */
export function ownerKey(owner: CredentialOwner): string {
  return [owner.platform, owner.workspace, owner.user].map(encodeURIComponent).join(":");
}

export function sameOwner(a: CredentialOwner, b: CredentialOwner): boolean {
  return ownerKey(a) === ownerKey(b);
}
