import * as oauth from "oauth4webapi";
import { AppError, isAbortError } from "../errors.ts";
import { isLoopbackHttp, type OAuthProvider } from "./provider-config.ts";

/** Tokens as the vault keeps them. `expiresAt` is epoch milliseconds; absent means no expiry. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: number;
  scopes: string[];
  tokenType: string;
}

/** The provider said no (bad code, revoked refresh token): the user must link again. */
export class OAuthRejection extends Error {
  readonly error: string;
  constructor(error: string) {
    super(`provider rejected the grant: ${error}`);
    this.name = "OAuthRejection";
    this.error = error;
  }
}

export interface OAuthClient {
  authorizationUrl(input: { redirectUri: string; state: string; codeChallenge: string }): URL;
  /** Validates the callback parameters against `expectedState` and trades the code for tokens. */
  exchangeCode(input: {
    callbackParameters: URLSearchParams;
    expectedState: string;
    redirectUri: string;
    codeVerifier: string;
    signal?: AbortSignal;
  }): Promise<TokenSet>;
  refresh(refreshToken: string, signal?: AbortSignal): Promise<TokenSet>;
  revoke(token: string, signal?: AbortSignal): Promise<void>;
  /** The provider account's login, when the provider has a user endpoint; undefined on any failure. */
  fetchLogin(accessToken: string, signal?: AbortSignal): Promise<string | undefined>;
}

export interface OAuthClientOptions {
  now?: () => number;
  fetch?: typeof fetch;
}

export function createOAuthClient(provider: OAuthProvider, options: OAuthClientOptions = {}): OAuthClient {
  const now = options.now ?? Date.now;
  const baseFetch = options.fetch ?? fetch;
  const server: oauth.AuthorizationServer = {
    issuer: new URL(provider.authorizeUrl).origin,
    authorization_endpoint: provider.authorizeUrl,
    token_endpoint: provider.tokenUrl,
    ...(provider.revocation?.style === "rfc7009" ? { revocation_endpoint: provider.revocation.url } : {}),
  };
  const client: oauth.Client = { client_id: provider.clientId };
  const clientAuth =
    provider.clientAuth === "client_secret_post"
      ? oauth.ClientSecretPost(provider.clientSecret)
      : oauth.ClientSecretBasic(provider.clientSecret);
  const requestOptions = (signal: AbortSignal | undefined) => ({
    ...(signal ? { signal } : {}),
    // resolveProviders admits plain http only for loopback URLs (the test fakes).
    [oauth.allowInsecureRequests]: isLoopbackHttp(provider.tokenUrl),
    [oauth.customFetch]: githubTolerantFetch(baseFetch),
  });

  const toTokenSet = (response: oauth.TokenEndpointResponse, previousRefresh?: string): TokenSet => ({
    accessToken: response.access_token,
    ...(response.refresh_token || previousRefresh
      ? { refreshToken: response.refresh_token ?? previousRefresh }
      : {}),
    ...(response.expires_in !== undefined ? { expiresAt: now() + response.expires_in * 1000 } : {}),
    // GitHub separates scopes with commas, RFC 6749 with spaces.
    scopes: (response.scope ?? "").split(/[\s,]+/).filter(Boolean),
    tokenType: response.token_type,
  });

  return {
    authorizationUrl({ redirectUri, state, codeChallenge }) {
      const url = new URL(provider.authorizeUrl);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("client_id", provider.clientId);
      url.searchParams.set("redirect_uri", redirectUri);
      if (provider.scopes.length) url.searchParams.set("scope", provider.scopes.join(" "));
      url.searchParams.set("state", state);
      url.searchParams.set("code_challenge", codeChallenge);
      url.searchParams.set("code_challenge_method", "S256");
      return url;
    },
    async exchangeCode({ callbackParameters, expectedState, redirectUri, codeVerifier, signal }) {
      return guard("exchange", provider, async () => {
        const parameters = oauth.validateAuthResponse(server, client, callbackParameters, expectedState);
        const response = await oauth.authorizationCodeGrantRequest(
          server,
          client,
          clientAuth,
          parameters,
          redirectUri,
          codeVerifier,
          requestOptions(signal),
        );
        return toTokenSet(await oauth.processAuthorizationCodeResponse(server, client, response));
      });
    },
    async refresh(refreshToken, signal) {
      return guard("refresh", provider, async () => {
        const response = await oauth.refreshTokenGrantRequest(
          server,
          client,
          clientAuth,
          refreshToken,
          requestOptions(signal),
        );
        // Providers that do not rotate refresh tokens omit it: keep the one we have.
        return toTokenSet(await oauth.processRefreshTokenResponse(server, client, response), refreshToken);
      });
    },
    async revoke(token, signal) {
      const revocation = provider.revocation;
      if (!revocation) return;
      await guard("revoke", provider, async () => {
        if (revocation.style === "rfc7009") {
          const response = await oauth.revocationRequest(
            server,
            client,
            clientAuth,
            token,
            requestOptions(signal),
          );
          await oauth.processRevocationResponse(response);
          return;
        }
        await revokeGitHubGrant(baseFetch, provider, revocation.url, token, signal);
      });
    },
    async fetchLogin(accessToken, signal) {
      if (!provider.userUrl) return undefined;
      try {
        const response = await baseFetch(provider.userUrl, {
          headers: {
            authorization: `Bearer ${accessToken}`,
            accept: "application/json",
            "user-agent": "threadhands",
          },
          ...(signal ? { signal } : {}),
        });
        if (!response.ok) return undefined;
        const body = (await response.json()) as Record<string, unknown>;
        const login = body[provider.loginField];
        return typeof login === "string" ? login : undefined;
      } catch (error) {
        if (isAbortError(error)) throw error;
        return undefined;
      }
    },
  };
}

// GitHub answers a failed token request with HTTP 200 and `{ "error": … }`; RFC 6749 says 400.
// Re-labelling it lets oauth4webapi report the OAuth error instead of a shape complaint.
function githubTolerantFetch(baseFetch: typeof fetch) {
  return async (url: string, init: RequestInit): Promise<Response> => {
    const response = await baseFetch(url, init);
    if (response.status !== 200 || !response.headers.get("content-type")?.includes("json")) return response;
    const text = await response.text();
    let status = 200;
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (typeof body.error === "string" && body.access_token === undefined) status = 400;
    } catch {
      // Not JSON after all: let oauth4webapi report it.
    }
    return new Response(text, { status, headers: response.headers });
  };
}

async function revokeGitHubGrant(
  baseFetch: typeof fetch,
  provider: OAuthProvider,
  urlTemplate: string,
  token: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const url = urlTemplate.replace("{client_id}", encodeURIComponent(provider.clientId));
  const basic = Buffer.from(`${provider.clientId}:${provider.clientSecret}`).toString("base64");
  const response = await baseFetch(url, {
    method: "DELETE",
    headers: {
      authorization: `Basic ${basic}`,
      accept: "application/vnd.github+json",
      "content-type": "application/json",
      "user-agent": "threadhands",
    },
    body: JSON.stringify({ access_token: token }),
    ...(signal ? { signal } : {}),
  });
  await response.body?.cancel();
  // 404/422: the grant is already gone, which is what we wanted.
  if (!response.ok && response.status !== 404 && response.status !== 422) {
    throw new AppError(
      "credential_revoke_failed",
      `${provider.displayName} refused to revoke the grant (HTTP ${response.status}).`,
      {
        retryable: response.status >= 500,
      },
    );
  }
}

/**
 * Translates oauth4webapi's errors. Their `cause` can hold the raw token response, so it is never
 * passed on: only the OAuth error code and a status survive.
 */
async function guard<T>(operation: string, provider: OAuthProvider, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isAbortError(error) || error instanceof AppError) throw error;
    if (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError) {
      throw new OAuthRejection(error.error);
    }
    const code = error instanceof Error && "code" in error ? String(error.code) : "unknown";
    const network = error instanceof TypeError && code === "unknown";
    throw new AppError(
      `credential_${operation}_failed`,
      `${provider.displayName} ${operation} failed (${network ? "network error" : code}).`,
      { retryable: network },
    );
  }
}
