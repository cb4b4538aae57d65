import { z } from "zod";
import { AppError } from "../errors.ts";

/**
 * `credentials.providers` of the YAML file: a map from provider name (what a tool call asks for,
 * e.g. "github") to how to talk to it and how the token reaches a command. Client ids and secrets
 * never live in the file: it names the environment variables that hold them.
 */

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name (A-Z, 0-9, _)");

export const exposureSchema = z.union([
  z.object({ env: z.array(envName).min(1) }).strict(),
  z
    .object({
      file: z
        .object({
          /** Absolute path inside the sandbox; the exec wrapper mounts it on a tmpfs for one command. */
          path: z.string().startsWith("/", "must be an absolute path"),
          /** Variable that receives the file's path, e.g. GOOGLE_APPLICATION_CREDENTIALS. */
          env: envName.optional(),
        })
        .strict(),
    })
    .strict(),
]);

const clientFields = {
  clientIdEnv: envName.optional(),
  clientSecretEnv: envName.optional(),
  /** How the client authenticates at the token and revocation endpoints. */
  clientAuth: z.enum(["client_secret_basic", "client_secret_post"]).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  displayName: z.string().min(1).optional(),
  expose: exposureSchema.optional(),
  /** An endpoint answering `{ <loginField>: "…" }` for a bearer token, to confirm who linked. */
  userUrl: z.url().optional(),
  loginField: z.string().min(1).optional(),
};

const githubSchema = z
  .object({
    type: z.literal("github"),
    ...clientFields,
    // Overrides exist for GitHub Enterprise Server and for tests against a stand-in.
    authorizeUrl: z.url().optional(),
    tokenUrl: z.url().optional(),
    apiUrl: z.url().optional(),
  })
  .strict();

const oauth2Schema = z
  .object({
    type: z.literal("oauth2"),
    ...clientFields,
    authorizeUrl: z.url(),
    tokenUrl: z.url(),
    /** RFC 7009 endpoint; without it, disconnect only forgets the token. */
    revocationUrl: z.url().optional(),
  })
  .strict();

export const providerSettingsSchema = z.discriminatedUnion("type", [githubSchema, oauth2Schema]);

export const credentialsSettingsSchema = z
  .object({
    providers: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/, "must be lower-case kebab-case"), providerSettingsSchema)
      .default({}),
  })
  .strict();

export type Exposure = z.infer<typeof exposureSchema>;
export type ProviderSettings = z.infer<typeof providerSettingsSchema>;
export type CredentialsSettings = z.infer<typeof credentialsSettingsSchema>;

/** How a token is revoked: RFC 7009, or GitHub's own "delete an app grant" API. */
export type Revocation = { style: "rfc7009"; url: string } | { style: "github-grant"; url: string };

/** A provider ready to use: settings resolved against defaults and the environment. */
export interface OAuthProvider {
  name: string;
  displayName: string;
  authorizeUrl: string;
  tokenUrl: string;
  revocation?: Revocation;
  userUrl?: string;
  loginField: string;
  scopes: string[];
  clientId: string;
  clientSecret: string;
  clientAuth: "client_secret_basic" | "client_secret_post";
  expose: Exposure;
}

export type ProviderRegistry = ReadonlyMap<string, OAuthProvider>;

/**
 * Fills in GitHub's defaults and reads client credentials from `env`. Default variable names are
 * `<NAME>_CLIENT_ID` / `<NAME>_CLIENT_SECRET` (GITHUB_CLIENT_ID for "github"). Every problem is
 * collected and reported at once, naming variables and keys, never values.
 */
export function resolveProviders(
  settings: CredentialsSettings,
  env: Record<string, string | undefined>,
): ProviderRegistry {
  const problems: string[] = [];
  const providers = new Map<string, OAuthProvider>();
  for (const [name, provider] of Object.entries(settings.providers)) {
    const prefix = name.toUpperCase().replaceAll("-", "_");
    const idVariable = provider.clientIdEnv ?? `${prefix}_CLIENT_ID`;
    const secretVariable = provider.clientSecretEnv ?? `${prefix}_CLIENT_SECRET`;
    const clientId = env[idVariable]?.trim();
    const clientSecret = env[secretVariable]?.trim();
    if (!clientId) problems.push(`${idVariable} is required for credentials.providers.${name}`);
    if (!clientSecret) problems.push(`${secretVariable} is required for credentials.providers.${name}`);
    const resolved = provider.type === "github" ? github(name, provider) : generic(name, provider);
    for (const url of endpointUrls(resolved)) {
      if (!isAllowedUrl(url)) {
        problems.push(
          `credentials.providers.${name}: ${new URL(url).origin} must use https (http only for 127.0.0.1/localhost)`,
        );
      }
    }
    providers.set(name, { ...resolved, clientId: clientId ?? "", clientSecret: clientSecret ?? "" });
  }
  if (problems.length)
    throw new AppError("config_credentials_invalid", `Credential providers: ${problems.join("; ")}.`);
  return providers;
}

type Unauthenticated = Omit<OAuthProvider, "clientId" | "clientSecret">;

function github(name: string, settings: z.infer<typeof githubSchema>): Unauthenticated {
  const api = (settings.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  return {
    name,
    displayName: settings.displayName ?? "GitHub",
    authorizeUrl: settings.authorizeUrl ?? "https://github.com/login/oauth/authorize",
    tokenUrl: settings.tokenUrl ?? "https://github.com/login/oauth/access_token",
    // The client id is filled in once known: GitHub's grant API is per application.
    revocation: { style: "github-grant", url: `${api}/applications/{client_id}/grant` },
    userUrl: settings.userUrl ?? `${api}/user`,
    loginField: settings.loginField ?? "login",
    scopes: settings.scopes ?? ["repo", "read:org"],
    // GitHub documents client_id/client_secret as body parameters of the token request.
    clientAuth: settings.clientAuth ?? "client_secret_post",
    expose: settings.expose ?? { env: ["GH_TOKEN", "GITHUB_TOKEN"] },
  };
}

function generic(name: string, settings: z.infer<typeof oauth2Schema>): Unauthenticated {
  return {
    name,
    displayName: settings.displayName ?? name,
    authorizeUrl: settings.authorizeUrl,
    tokenUrl: settings.tokenUrl,
    ...(settings.revocationUrl
      ? { revocation: { style: "rfc7009", url: settings.revocationUrl } as const }
      : {}),
    ...(settings.userUrl ? { userUrl: settings.userUrl } : {}),
    loginField: settings.loginField ?? "login",
    scopes: settings.scopes ?? [],
    clientAuth: settings.clientAuth ?? "client_secret_basic",
    expose: settings.expose ?? { env: [`${name.toUpperCase().replaceAll("-", "_")}_TOKEN`] },
  };
}

function endpointUrls(provider: Unauthenticated): string[] {
  return [provider.authorizeUrl, provider.tokenUrl, provider.revocation?.url, provider.userUrl].filter(
    (url): url is string => url !== undefined,
  );
}

/** Plain http is refused except to the loopback host, where only the test fakes live. */
export function isLoopbackHttp(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname);
}

function isAllowedUrl(url: string): boolean {
  return new URL(url).protocol === "https:" || isLoopbackHttp(url);
}

/** What one exec gets for a token: variables, and files the exec wrapper writes to a tmpfs. */
export interface ExposedCredential {
  env: Record<string, string>;
  files?: { path: string; content: string; mode: number }[];
}

export function exposeToken(accessToken: string, exposure: Exposure): ExposedCredential {
  if ("env" in exposure) return { env: Object.fromEntries(exposure.env.map((name) => [name, accessToken])) };
  const { path, env } = exposure.file;
  return { env: env ? { [env]: path } : {}, files: [{ path, content: accessToken, mode: 0o400 }] };
}
