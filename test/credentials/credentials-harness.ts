import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { createRedisOAuthStateStore } from "../../queue/redis-oauth-state-store.ts";
import { createRedisRefreshLock, createRedisTokenRecordStore } from "../../queue/redis-token-vault-store.ts";
import { createCredentialServices } from "../../src/credentials/credential-services.ts";
import type { LinkedAccount } from "../../src/credentials/oauth-callback-handler.ts";
import { createOAuthClients } from "../../src/credentials/oauth-linking.ts";
import type { CredentialOwner } from "../../src/credentials/owner.ts";
import { credentialsSettingsSchema } from "../../src/credentials/provider-config.ts";
import { loadVaultKeys } from "../../src/credentials/secret-key.ts";
import { createTokenVault } from "../../src/credentials/token-vault.ts";
import { type FakeOAuthProviderOptions, startFakeOAuthProvider } from "../fakes/oauth/fake-oauth-provider.ts";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export const alice: CredentialOwner = { platform: "slack", workspace: "T1", user: "UALICE" };
export const bob: CredentialOwner = { platform: "slack", workspace: "T1", user: "UBOB" };
export const aliceElsewhere: CredentialOwner = { platform: "slack", workspace: "T2", user: "UALICE" };

export function randomKey(): string {
  return randomBytes(32).toString("base64");
}

export interface HarnessOptions extends FakeOAuthProviderOptions {
  /** "github" wires the fake as the built-in GitHub provider; "oauth2" as a generic RFC provider. */
  type?: "github" | "oauth2";
  secretKey?: string;
  oldSecretKey?: string;
  prefix?: string;
  now?: () => number;
}

/** Everything real but the OAuth provider: Redis stores, oauth4webapi, node:http callback server. */
export async function startCredentialsHarness(options: HarnessOptions = {}) {
  const fake = await startFakeOAuthProvider(options);
  const redis = new Redis(redisUrl);
  const prefix = options.prefix ?? `test-cred-${randomUUID().slice(0, 8)}`;
  const env = {
    GITHUB_CLIENT_ID: fake.clientId,
    GITHUB_CLIENT_SECRET: fake.clientSecret,
    THREADHANDS_SECRET_KEY: options.secretKey ?? randomKey(),
    THREADHANDS_SECRET_KEY_OLD: options.oldSecretKey,
  };
  const type = options.type ?? "github";
  const settings = credentialsSettingsSchema.parse({
    providers: {
      github:
        type === "github"
          ? {
              type: "github",
              authorizeUrl: `${fake.url}/authorize`,
              tokenUrl: `${fake.url}/token`,
              apiUrl: fake.url,
            }
          : {
              type: "oauth2",
              displayName: "GitHub",
              clientIdEnv: "GITHUB_CLIENT_ID",
              clientSecretEnv: "GITHUB_CLIENT_SECRET",
              authorizeUrl: `${fake.url}/authorize`,
              tokenUrl: `${fake.url}/token`,
              revocationUrl: `${fake.url}/revoke`,
              userUrl: `${fake.url}/user`,
              scopes: ["repo"],
              expose: { env: ["GH_TOKEN"] },
            },
    },
  });
  const now = options.now ?? Date.now;
  const records = createRedisTokenRecordStore(redis, { prefix });
  const lock = createRedisRefreshLock(redis, { prefix });
  const states = createRedisOAuthStateStore(redis, { prefix });
  // Wired the way the composition root wires it.
  const { providers, vault, linking, broker, callbackHandler } = createCredentialServices({
    settings,
    env,
    records,
    lock,
    states,
    now,
  });
  const keys = loadVaultKeys(env);
  const clients = createOAuthClients(providers, now);
  const extraConnections: Redis[] = [];

  /** Another worker process's vault: its own Redis connection, its own in-process state. */
  function otherProcessVault() {
    const connection = new Redis(redisUrl);
    extraConnections.push(connection);
    return createTokenVault({
      store: createRedisTokenRecordStore(connection, { prefix }),
      keys,
      lock: createRedisRefreshLock(connection, { prefix }),
      clients: createOAuthClients(providers, now),
      now,
    });
  }

  const linked: LinkedAccount[] = [];
  const handler = callbackHandler({ onLinked: (account) => void linked.push(account) });
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Start a link as `owner`, let the fake authorize it, return the callback URL (not yet opened). */
  async function authorize(owner: CredentialOwner, login = "octocat"): Promise<string> {
    const started = await linking.startLink({ owner, provider: "github", redirectBaseUrl: appUrl });
    if (!started.ok) throw new Error(started.message);
    fake.authorizeAs(login);
    return fake.authorize(started.url);
  }

  /** The browser's part: open the callback URL on the app's real HTTP server. */
  async function openCallback(callbackUrl: string): Promise<{ status: number; html: string }> {
    const response = await fetch(callbackUrl);
    return { status: response.status, html: await response.text() };
  }

  async function link(owner: CredentialOwner, login = "octocat") {
    return openCallback(await authorize(owner, login));
  }

  async function redisDump(): Promise<string[]> {
    const found = await redis.keys(`${prefix}:*`);
    const entries: string[] = [];
    for (const key of found) {
      const type = await redis.type(key);
      const value = type === "string" ? await redis.get(key) : JSON.stringify(await redis.dump(key));
      entries.push(key, value ?? "");
    }
    return entries;
  }

  async function close() {
    const found = await redis.keys(`${prefix}:*`);
    if (found.length) await redis.del(...found);
    redis.disconnect();
    for (const connection of extraConnections) connection.disconnect();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fake.close();
  }

  return {
    fake,
    redis,
    prefix,
    env,
    providers,
    keys,
    records,
    lock,
    clients,
    vault,
    otherProcessVault,
    linking,
    broker,
    linked,
    appUrl,
    authorize,
    openCallback,
    link,
    redisDump,
    close,
  };
}

export type CredentialsHarness = Awaited<ReturnType<typeof startCredentialsHarness>>;
