import { randomUUID } from "node:crypto";
import { setTimeout as sleepFor } from "node:timers/promises";
import { AppError } from "../errors.ts";
import { type OAuthClient, OAuthRejection, type TokenSet } from "./oauth-client.ts";
import { type CredentialOwner, ownerKey } from "./owner.ts";
import type { VaultKeys } from "./secret-key.ts";
import { open, seal } from "./token-envelope.ts";

/** Waits, and rejects at once when the signal aborts. */
const sleep = (ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal });

/** A linked account as stored (after decryption). */
export interface StoredToken extends TokenSet {
  login?: string;
  linkedAt: string;
  updatedAt: string;
}

/** Where envelopes live. Values are opaque ciphertext; the store never sees a token. */
export interface TokenRecordStore {
  get(owner: CredentialOwner, provider: string, signal?: AbortSignal): Promise<string | undefined>;
  put(owner: CredentialOwner, provider: string, envelope: string, signal?: AbortSignal): Promise<void>;
  delete(owner: CredentialOwner, provider: string, signal?: AbortSignal): Promise<void>;
}

/** A cross-process mutex so one refresh token is spent once, not by every worker at the same time. */
export interface RefreshLock {
  acquire(key: string, holder: string, ttlMs: number, signal?: AbortSignal): Promise<boolean>;
  release(key: string, holder: string, signal?: AbortSignal): Promise<void>;
}

export type FreshToken =
  | { status: "ok"; token: StoredToken }
  | { status: "not_linked" }
  /** Expired and not refreshable (no refresh token, or the provider refused it): link again. */
  | { status: "expired" };

export interface TokenVault {
  save(
    owner: CredentialOwner,
    provider: string,
    token: TokenSet & { login?: string },
    signal?: AbortSignal,
  ): Promise<StoredToken>;
  load(owner: CredentialOwner, provider: string, signal?: AbortSignal): Promise<StoredToken | undefined>;
  delete(owner: CredentialOwner, provider: string, signal?: AbortSignal): Promise<void>;
  /** The token, refreshed first when it expires within the margin. Concurrent callers share one refresh. */
  getFreshToken(owner: CredentialOwner, provider: string, signal?: AbortSignal): Promise<FreshToken>;
}

export interface TokenVaultOptions {
  store: TokenRecordStore;
  keys: VaultKeys;
  lock: RefreshLock;
  /** Refresh clients by provider name; a provider without one is never refreshed. */
  clients: ReadonlyMap<string, Pick<OAuthClient, "refresh">>;
  /** Refresh this long before expiry, so a command never starts with a token about to lapse. */
  refreshMarginMs?: number;
  /** Longer than one refresh request may take; a crashed holder frees the lock after this. */
  lockTtlMs?: number;
  /** How long a caller waits for another process's refresh before giving up. */
  lockWaitMs?: number;
  pollIntervalMs?: number;
  now?: () => number;
}

export function associatedData(owner: CredentialOwner, provider: string): string {
  return `threadhands-token\u0000${ownerKey(owner)}\u0000${provider}`;
}

export function createTokenVault(options: TokenVaultOptions): TokenVault {
  const { store, keys, lock, clients } = options;
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  const lockTtl = options.lockTtlMs ?? 15_000;
  const lockWait = options.lockWaitMs ?? 20_000;
  const pollInterval = options.pollIntervalMs ?? 50;
  const inFlight = new Map<string, Promise<FreshToken>>();

  const load = async (owner: CredentialOwner, provider: string, signal?: AbortSignal) => {
    const envelope = await store.get(owner, provider, signal);
    if (envelope === undefined) return undefined;
    return JSON.parse(open(keys, associatedData(owner, provider), envelope).plaintext) as StoredToken;
  };

  const write = async (
    owner: CredentialOwner,
    provider: string,
    token: StoredToken,
    signal?: AbortSignal,
  ) => {
    // Always the current key: this is how records sealed with the old key migrate.
    await store.put(
      owner,
      provider,
      seal(keys.current, associatedData(owner, provider), JSON.stringify(token)),
      signal,
    );
  };

  const isFresh = (token: StoredToken) => token.expiresAt === undefined || token.expiresAt - margin > now();
  const isUsable = (token: StoredToken) => token.expiresAt === undefined || token.expiresAt > now();

  async function refreshUnderLock(
    owner: CredentialOwner,
    provider: string,
    signal?: AbortSignal,
  ): Promise<FreshToken> {
    const lockKey = `${ownerKey(owner)}:${provider}`;
    const holder = randomUUID();
    const deadline = now() + lockWait;
    for (;;) {
      signal?.throwIfAborted();
      if (await lock.acquire(lockKey, holder, lockTtl, signal)) {
        try {
          // Another process may have refreshed while we waited for the lock.
          const current = await load(owner, provider, signal);
          if (!current) return { status: "not_linked" };
          if (isFresh(current)) return { status: "ok", token: current };
          return await refreshNow(owner, provider, current, signal);
        } finally {
          await lock.release(lockKey, holder);
        }
      }
      await sleep(pollInterval, signal);
      const current = await load(owner, provider, signal);
      if (!current) return { status: "not_linked" };
      if (isFresh(current)) return { status: "ok", token: current };
      if (now() > deadline) {
        throw new AppError(
          "credential_refresh_timeout",
          `Timed out waiting for another worker to refresh the ${provider} token.`,
          {
            retryable: true,
          },
        );
      }
    }
  }

  async function refreshNow(
    owner: CredentialOwner,
    provider: string,
    current: StoredToken,
    signal?: AbortSignal,
  ): Promise<FreshToken> {
    const client = clients.get(provider);
    if (!client || !current.refreshToken)
      return isUsable(current) ? { status: "ok", token: current } : { status: "expired" };
    try {
      const fresh = await client.refresh(current.refreshToken, signal);
      const token: StoredToken = {
        ...fresh,
        linkedAt: current.linkedAt,
        updatedAt: new Date(now()).toISOString(),
      };
      if (current.login !== undefined) token.login = current.login;
      await write(owner, provider, token, signal);
      return { status: "ok", token };
    } catch (error) {
      if (error instanceof OAuthRejection && error.error === "invalid_grant") {
        // The refresh token is dead (revoked at the provider, or rotated away): forget it so the
        // next attempt says "link again" without asking the provider.
        await store.delete(owner, provider, signal);
        return { status: "expired" };
      }
      if (error instanceof OAuthRejection) {
        throw new AppError(
          "credential_refresh_failed",
          `${provider} refused the token refresh (${error.error}).`,
        );
      }
      throw error;
    }
  }

  return {
    async save(owner, provider, token, signal) {
      const stamp = new Date(now()).toISOString();
      const stored: StoredToken = { ...token, linkedAt: stamp, updatedAt: stamp };
      await write(owner, provider, stored, signal);
      return stored;
    },
    load,
    async delete(owner, provider, signal) {
      await store.delete(owner, provider, signal);
    },
    async getFreshToken(owner, provider, signal) {
      const token = await load(owner, provider, signal);
      if (!token) return { status: "not_linked" };
      if (isFresh(token)) return { status: "ok", token };
      const key = `${ownerKey(owner)}:${provider}`;
      // Callers in this process share one attempt; the lock serialises the other processes. The
      // shared attempt carries no caller's signal, so one caller giving up does not fail the rest.
      let pending = inFlight.get(key);
      if (!pending) {
        pending = refreshUnderLock(owner, provider).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return abortable(pending, signal);
    },
  };
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
