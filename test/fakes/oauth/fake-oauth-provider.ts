import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { flattenHeaders, sendJson, startServer } from "../http-server.ts";

/**
 * A stand-in OAuth 2.0 authorization server (GitHub-flavoured where it matters) on 127.0.0.1:
 * authorize → redirect with code+state, token endpoint with PKCE S256 and client authentication
 * (basic or post), refresh with rotation, RFC 7009 revocation, GitHub's DELETE grant API, and a
 * `/user` endpoint. Every request is recorded so tests assert on what the app actually sent.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeOAuthProviderOptions {
  clientId?: string;
  clientSecret?: string;
  /** Seconds; undefined issues tokens that never expire (classic GitHub OAuth apps). */
  expiresIn?: number;
  /** Delay before answering a refresh, to widen the window for concurrent refreshes. */
  refreshDelayMs?: number;
  /** Rotate refresh tokens on use (the old one becomes invalid). Default true. */
  rotateRefreshTokens?: boolean;
  /** Answer errors with HTTP 200 and `{ error }`, as GitHub does. */
  githubStyleErrors?: boolean;
}

interface Grant {
  login: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
}

export interface FakeOAuthProvider {
  url: string;
  clientId: string;
  clientSecret: string;
  requests: RecordedRequest[];
  /** Refresh grants answered with new tokens. */
  readonly refreshCount: number;
  /** Tokens revoked through either revocation API. */
  revoked: Set<string>;
  /** The provider login the next authorization is for. */
  authorizeAs(login: string): void;
  /** The next access token issued (e.g. a sentinel); afterwards random ones again. */
  issueNextAccessToken(token: string): void;
  setExpiresIn(seconds: number | undefined): void;
  isActive(accessToken: string): boolean;
  /** Follows the authorization URL like a browser would; returns the redirect Location. */
  authorize(authorizationUrl: string): Promise<string>;
  close(): Promise<void>;
}

export async function startFakeOAuthProvider(
  options: FakeOAuthProviderOptions = {},
): Promise<FakeOAuthProvider> {
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  let expiresIn = options.expiresIn;
  let nextLogin = "octocat";
  let nextAccessToken: string | undefined;
  let refreshCount = 0;
  const requests: RecordedRequest[] = [];
  const revoked = new Set<string>();
  const codes = new Map<string, Grant>();
  const accessTokens = new Map<string, string>(); // token → login
  const refreshTokens = new Map<string, Grant>();

  const oauthError = (res: ServerResponse, status: number, error: string) =>
    sendJson(res, options.githubStyleErrors ? 200 : status, { error, error_description: `fake: ${error}` });

  const issue = (grant: Grant) => {
    const access = nextAccessToken ?? `fake-at-${randomBytes(16).toString("hex")}`;
    nextAccessToken = undefined;
    const refresh = `fake-rt-${randomBytes(16).toString("hex")}`;
    accessTokens.set(access, grant.login);
    refreshTokens.set(refresh, grant);
    return {
      access_token: access,
      token_type: "bearer",
      scope: grant.scope.split(" ").join(","),
      refresh_token: refresh,
      ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}),
    };
  };

  const clientAuthenticated = (req: IncomingMessage, form: URLSearchParams) => {
    const header = req.headers.authorization;
    if (header?.startsWith("Basic ")) {
      const [id, secret] = Buffer.from(header.slice(6), "base64")
        .toString()
        .split(":")
        .map(decodeURIComponent);
      return id === clientId && secret === clientSecret;
    }
    return form.get("client_id") === clientId && form.get("client_secret") === clientSecret;
  };

  const server = await startServer(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://fake");
    requests.push({
      method: req.method ?? "",
      path: url.pathname + url.search,
      headers: flattenHeaders(req),
      body: body.toString(),
    });
    const form = new URLSearchParams(body.toString());

    if (req.method === "GET" && url.pathname === "/authorize") {
      const q = url.searchParams;
      const redirect = new URL(q.get("redirect_uri") ?? "");
      if (
        q.get("client_id") !== clientId ||
        q.get("code_challenge_method") !== "S256" ||
        !q.get("code_challenge")
      ) {
        redirect.searchParams.set("error", "invalid_request");
      } else {
        const code = `fake-code-${randomBytes(12).toString("hex")}`;
        codes.set(code, {
          login: nextLogin,
          clientId,
          redirectUri: redirect.toString(),
          codeChallenge: q.get("code_challenge") ?? "",
          scope: q.get("scope") ?? "",
        });
        redirect.searchParams.set("code", code);
      }
      redirect.searchParams.set("state", q.get("state") ?? "");
      res.writeHead(302, { location: redirect.toString() });
      return void res.end();
    }

    if (req.method === "POST" && url.pathname === "/token") {
      if (!clientAuthenticated(req, form)) return oauthError(res, 401, "invalid_client");
      if (form.get("grant_type") === "authorization_code") {
        const grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        const challenge = createHash("sha256").update(verifier).digest("base64url");
        if (!grant || grant.redirectUri !== form.get("redirect_uri") || grant.codeChallenge !== challenge) {
          return oauthError(res, 400, "invalid_grant");
        }
        return sendJson(res, 200, issue(grant));
      }
      if (form.get("grant_type") === "refresh_token") {
        const token = form.get("refresh_token") ?? "";
        const grant = refreshTokens.get(token);
        if (options.refreshDelayMs)
          await new Promise((resolve) => setTimeout(resolve, options.refreshDelayMs));
        if (!grant || revoked.has(token)) return oauthError(res, 400, "invalid_grant");
        if (options.rotateRefreshTokens !== false) refreshTokens.delete(token);
        refreshCount++;
        const issued = issue(grant);
        if (options.rotateRefreshTokens === false) {
          refreshTokens.delete(issued.refresh_token);
          return sendJson(res, 200, { ...issued, refresh_token: undefined });
        }
        return sendJson(res, 200, issued);
      }
      return oauthError(res, 400, "unsupported_grant_type");
    }

    if (req.method === "POST" && url.pathname === "/revoke") {
      if (!clientAuthenticated(req, form)) return oauthError(res, 401, "invalid_client");
      const token = form.get("token") ?? "";
      revoked.add(token);
      accessTokens.delete(token);
      refreshTokens.delete(token);
      // RFC 7009 §2.2: 200 whether or not the token was valid.
      res.writeHead(200);
      return void res.end();
    }

    const grantPath = /^\/applications\/([^/]+)\/grant$/.exec(url.pathname);
    if (req.method === "DELETE" && grantPath) {
      const basic = Buffer.from(
        (req.headers.authorization ?? "").replace(/^Basic /, ""),
        "base64",
      ).toString();
      if (grantPath[1] !== clientId || basic !== `${clientId}:${clientSecret}`)
        return sendJson(res, 404, { message: "Not Found" });
      const token = (JSON.parse(body.toString() || "{}") as { access_token?: string }).access_token ?? "";
      const login = accessTokens.get(token);
      if (login === undefined) return sendJson(res, 422, { message: "Validation Failed" });
      // A grant covers every token of that user for this app.
      for (const [access, owner] of accessTokens) {
        if (owner !== login) continue;
        revoked.add(access);
        accessTokens.delete(access);
      }
      for (const [refresh, grant] of refreshTokens) {
        if (grant.login !== login) continue;
        revoked.add(refresh);
        refreshTokens.delete(refresh);
      }
      res.writeHead(204);
      return void res.end();
    }

    if (req.method === "GET" && url.pathname === "/user") {
      const token = (req.headers.authorization ?? "").replace(/^Bearer /i, "");
      const login = accessTokens.get(token);
      if (login === undefined) return sendJson(res, 401, { message: "Bad credentials" });
      return sendJson(res, 200, { login, id: 1 });
    }

    sendJson(res, 404, { error: "not_found", path: url.pathname });
  });

  const base = `http://127.0.0.1:${server.port}`;
  return {
    url: base,
    clientId,
    clientSecret,
    requests,
    get refreshCount() {
      return refreshCount;
    },
    revoked,
    authorizeAs(login) {
      nextLogin = login;
    },
    issueNextAccessToken(token) {
      nextAccessToken = token;
    },
    setExpiresIn(seconds) {
      expiresIn = seconds;
    },
    isActive(accessToken) {
      return accessTokens.has(accessToken) && !revoked.has(accessToken);
    },
    async authorize(authorizationUrl) {
      const response = await fetch(authorizationUrl, { redirect: "manual" });
      await response.body?.cancel();
      const location = response.headers.get("location");
      if (response.status !== 302 || !location) throw new Error(`fake authorize answered ${response.status}`);
      return location;
    },
    close: () => server.close(),
  };
}
