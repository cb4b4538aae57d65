import { describe, expect, it } from "vitest";
import {
  credentialsSettingsSchema,
  exposeToken,
  resolveProviders,
} from "../../src/credentials/provider-config.ts";
import { AppError } from "../../src/errors.ts";

const env = { GITHUB_CLIENT_ID: "id-123", GITHUB_CLIENT_SECRET: "secret-value-456" };

function problem(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("credential provider settings", () => {
  it("fills in GitHub's endpoints, scopes, exposure and client variables", () => {
    const providers = resolveProviders(
      credentialsSettingsSchema.parse({ providers: { github: { type: "github" } } }),
      env,
    );
    expect(providers.get("github")).toMatchObject({
      displayName: "GitHub",
      authorizeUrl: "https://github.com/login/oauth/authorize",
      tokenUrl: "https://github.com/login/oauth/access_token",
      revocation: { style: "github-grant", url: "https://api.github.com/applications/{client_id}/grant" },
      userUrl: "https://api.github.com/user",
      scopes: ["repo", "read:org"],
      expose: { env: ["GH_TOKEN", "GITHUB_TOKEN"] },
      clientId: "id-123",
      clientSecret: "secret-value-456",
    });
  });

  it("configures any OAuth 2.0 provider with named client variables and a file exposure", () => {
    const settings = credentialsSettingsSchema.parse({
      providers: {
        "acme-cloud": {
          type: "oauth2",
          authorizeUrl: "https://login.acme.test/authorize",
          tokenUrl: "https://login.acme.test/token",
          revocationUrl: "https://login.acme.test/revoke",
          scopes: ["read"],
          clientIdEnv: "ACME_ID",
          clientSecretEnv: "ACME_SECRET",
          expose: { file: { path: "/run/credentials/acme", env: "ACME_TOKEN_FILE" } },
        },
      },
    });
    const acme = resolveProviders(settings, { ACME_ID: "a", ACME_SECRET: "b" }).get("acme-cloud");
    expect(acme).toMatchObject({ revocation: { style: "rfc7009" }, clientAuth: "client_secret_basic" });
    expect(exposeToken("tok", acme?.expose ?? { env: [] })).toEqual({
      env: { ACME_TOKEN_FILE: "/run/credentials/acme" },
      files: [{ path: "/run/credentials/acme", content: "tok", mode: 0o400 }],
    });
  });

  it("names every missing client variable and never prints a configured value", () => {
    const settings = credentialsSettingsSchema.parse({
      providers: {
        github: { type: "github" },
        other: { type: "oauth2", authorizeUrl: "https://x.test/a", tokenUrl: "https://x.test/t" },
      },
    });
    const error = problem(() => resolveProviders(settings, { GITHUB_CLIENT_ID: "id-123" }));
    expect(error.code).toBe("config_credentials_invalid");
    expect(error.message).toContain("GITHUB_CLIENT_SECRET");
    expect(error.message).toContain("OTHER_CLIENT_ID");
    expect(error.message).not.toContain("id-123");
  });

  it("refuses plain http except to the loopback host", () => {
    const settings = (host: string) =>
      credentialsSettingsSchema.parse({
        providers: {
          github: {
            type: "github",
            tokenUrl: `http://${host}/token`,
            authorizeUrl: `http://${host}/a`,
            apiUrl: `http://${host}`,
          },
        },
      });
    expect(problem(() => resolveProviders(settings("oauth.example.com"), env)).message).toContain(
      "must use https",
    );
    expect(resolveProviders(settings("127.0.0.1:9000"), env).get("github")?.tokenUrl).toBe(
      "http://127.0.0.1:9000/token",
    );
  });

  it("rejects unknown keys, bad names and an exposure without variables", () => {
    const bad = [
      { providers: { github: { type: "github", clientSecret: "inline" } } },
      { providers: { GitHub: { type: "github" } } },
      {
        providers: {
          x: {
            type: "oauth2",
            authorizeUrl: "https://a.test",
            tokenUrl: "https://a.test",
            expose: { env: [] },
          },
        },
      },
      {
        providers: {
          x: {
            type: "oauth2",
            authorizeUrl: "https://a.test",
            tokenUrl: "https://a.test",
            expose: { file: { path: "rel" } },
          },
        },
      },
    ];
    for (const input of bad)
      expect(credentialsSettingsSchema.safeParse(input).success, JSON.stringify(input)).toBe(false);
  });
});
