import { createHash, randomBytes } from "node:crypto";
import * as oauth from "oauth4webapi";
import type { ThreadRef } from "../chat/thread.ts";
import { AppError } from "../errors.ts";
import { createOAuthClient, type OAuthClient, OAuthRejection } from "./oauth-client.ts";
import type { OAuthStateStore } from "./oauth-state-store.ts";
import { type CredentialOwner, sameOwner } from "./owner.ts";
import type { OAuthProvider, ProviderRegistry } from "./provider-config.ts";
import type { StoredToken, TokenVault } from "./token-vault.ts";

export type StartLinkResult =
  | { ok: true; url: string; expiresAt: string }
  | { ok: false; reason: "unknown_provider"; message: string };

export type LinkFailureCode =
  | "state_missing"
  | "state_unknown"
  | "state_expired"
  | "state_used"
  | "provider_mismatch"
  | "owner_mismatch"
  | "access_denied"
  | "exchange_rejected";

export type CompleteLinkResult =
  | {
      ok: true;
      owner: CredentialOwner;
      provider: string;
      displayName: string;
      login?: string;
      thread?: ThreadRef;
    }
  | { ok: false; code: LinkFailureCode; message: string };

export type DisconnectResult =
  /** `revokeFailed`: the provider could not be told; the user should revoke the app in its settings. */
  | { ok: true; revoked: boolean; wasLinked: boolean; revokeFailed?: boolean }
  | { ok: false; reason: "unknown_provider" };

export interface OAuthLinking {
  startLink(input: {
    owner: CredentialOwner;
    provider: string;
    /** Public base URL of this app, e.g. https://bot.example.com; the callback is /oauth/<provider>/callback. */
    redirectBaseUrl: string;
    thread?: ThreadRef;
    signal?: AbortSignal;
  }): Promise<StartLinkResult>;
  /**
   * `callbackUrl` is the full URL (or path and query) the provider redirected to. `expectedOwner`
   * is for callers who know the user (none do today: the state record is the authority).
   */
  completeLink(
    callbackUrl: string | URL,
    options?: { expectedOwner?: CredentialOwner; signal?: AbortSignal },
  ): Promise<CompleteLinkResult>;
  disconnect(owner: CredentialOwner, provider: string, signal?: AbortSignal): Promise<DisconnectResult>;
}

export interface OAuthLinkingOptions {
  providers: ProviderRegistry;
  vault: TokenVault;
  states: OAuthStateStore;
  stateTtlMs?: number;
  now?: () => number;
  /** Defaults to oauth4webapi-backed clients; injected only to share one set with the vault. */
  clients?: ReadonlyMap<string, OAuthClient>;
}

export const callbackPathPattern = /^\/oauth\/([a-z][a-z0-9-]*)\/callback\/?$/;

export function callbackPath(provider: string): string {
  return `/oauth/${provider}/callback`;
}

export function hashState(state: string): string {
  return createHash("sha256").update(state).digest("base64url");
}

export function createOAuthClients(
  providers: ProviderRegistry,
  now?: () => number,
): Map<string, OAuthClient> {
  return new Map(
    [...providers].map(([name, provider]) => [name, createOAuthClient(provider, now ? { now } : {})]),
  );
}

export function createOAuthLinking(options: OAuthLinkingOptions): OAuthLinking {
  const { providers, vault, states } = options;
  const now = options.now ?? Date.now;
  const stateTtlMs = options.stateTtlMs ?? 10 * 60_000;
  const clients = options.clients ?? createOAuthClients(providers, now);
  const lookup = (name: string): { provider: OAuthProvider; client: OAuthClient } | undefined => {
    const provider = providers.get(name);
    const client = clients.get(name);
    return provider && client ? { provider, client } : undefined;
  };
  const fail = (code: LinkFailureCode, message: string): CompleteLinkResult => ({ ok: false, code, message });

  return {
    async startLink({ owner, provider: name, redirectBaseUrl, thread, signal }) {
      const found = lookup(name);
      if (!found) return { ok: false, reason: "unknown_provider", message: unknownProvider(name, providers) };
      // 256 bits: the state is the only thing tying the browser's callback to this chat user.
      const state = randomBytes(32).toString("base64url");
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const redirectUri = new URL(callbackPath(name), redirectBaseUrl).toString();
      const createdAt = now();
      const expiresAt = createdAt + stateTtlMs;
      await states.put(
        hashState(state),
        {
          owner,
          provider: name,
          codeVerifier,
          redirectUri,
          createdAt,
          expiresAt,
          ...(thread ? { thread } : {}),
        },
        stateTtlMs,
        signal,
      );
      const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
      const url = found.client.authorizationUrl({ redirectUri, state, codeChallenge });
      return { ok: true, url: url.toString(), expiresAt: new Date(expiresAt).toISOString() };
    },

    async completeLink(callbackUrl, { expectedOwner, signal } = {}) {
      const url = new URL(callbackUrl, "http://callback.invalid");
      const state = url.searchParams.get("state");
      if (!state)
        return fail(
          "state_missing",
          "This link has no state. Start again from the chat with the link command.",
        );
      // Taken (and so burnt) before anything else: a state is good for one attempt, even a failed one.
      const taken = await states.take(hashState(state), signal);
      if (taken.status === "unknown") {
        return fail("state_unknown", "This link is not known (or is too old). Ask the bot for a new one.");
      }
      if (taken.status === "used")
        return fail("state_used", "This link was already used. Ask the bot for a new one.");
      const link = taken.link;
      if (link.expiresAt <= now())
        return fail("state_expired", "This link has expired. Ask the bot for a new one.");
      const pathProvider = callbackPathPattern.exec(url.pathname)?.[1];
      if (pathProvider !== undefined && pathProvider !== link.provider) {
        return fail(
          "provider_mismatch",
          "This callback does not belong to the provider the link was made for.",
        );
      }
      if (expectedOwner && !sameOwner(expectedOwner, link.owner)) {
        return fail("owner_mismatch", "This link was made for another chat user or workspace.");
      }
      const found = lookup(link.provider);
      if (!found) return fail("state_unknown", "The provider of this link is no longer configured.");
      const { provider, client } = found;
      if (url.searchParams.has("error")) {
        return fail(
          "access_denied",
          `${provider.displayName} did not grant access (${url.searchParams.get("error")}).`,
        );
      }
      let token: Awaited<ReturnType<OAuthClient["exchangeCode"]>>;
      try {
        token = await client.exchangeCode({
          callbackParameters: url.searchParams,
          expectedState: state,
          redirectUri: link.redirectUri,
          codeVerifier: link.codeVerifier,
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (error instanceof OAuthRejection) {
          return fail(
            "exchange_rejected",
            `${provider.displayName} refused the sign-in (${error.error}). Ask the bot for a new link.`,
          );
        }
        throw error;
      }
      const login = await client.fetchLogin(token.accessToken, signal);
      await vault.save(link.owner, link.provider, { ...token, ...(login ? { login } : {}) }, signal);
      return {
        ok: true,
        owner: link.owner,
        provider: link.provider,
        displayName: provider.displayName,
        ...(login ? { login } : {}),
        ...(link.thread ? { thread: link.thread } : {}),
      };
    },

    async disconnect(owner, name, signal) {
      const found = lookup(name);
      if (!found) return { ok: false, reason: "unknown_provider" };
      let token: StoredToken | undefined;
      try {
        token = await vault.load(owner, name, signal);
      } catch (error) {
        // Unreadable (old key gone, tampered): nothing to revoke with, but still forget it.
        if (!(error instanceof AppError)) throw error;
        await vault.delete(owner, name, signal);
        return { ok: true, revoked: false, wasLinked: true, revokeFailed: true };
      }
      if (!token) return { ok: true, revoked: false, wasLinked: false };
      let revoked = false;
      let revokeFailed = false;
      const revocation = found.provider.revocation;
      if (revocation) {
        try {
          // RFC 7009: the refresh token outlives the access token, so it goes first. GitHub's
          // grant API takes the access token and drops every token of the grant.
          if (revocation.style === "rfc7009" && token.refreshToken)
            await found.client.revoke(token.refreshToken, signal);
          await found.client.revoke(token.accessToken, signal);
          revoked = true;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          revokeFailed = true;
        }
      }
      // Forgotten even when revocation failed: the user asked for it, and is told to revoke by hand.
      await vault.delete(owner, name, signal);
      return { ok: true, revoked, wasLinked: true, ...(revokeFailed ? { revokeFailed } : {}) };
    },
  };
}

export function unknownProvider(name: string, providers: ProviderRegistry): string {
  const known = [...providers.keys()];
  return `No credential provider "${name}" is configured${known.length ? ` (configured: ${known.join(", ")})` : ""}.`;
}
