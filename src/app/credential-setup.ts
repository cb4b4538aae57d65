import type { Redis } from "ioredis";
import type { AppConfig } from "../../config/schema.ts";
import { createRedisOAuthStateStore } from "../../queue/redis-oauth-state-store.ts";
import { createRedisRefreshLock, createRedisTokenRecordStore } from "../../queue/redis-token-vault-store.ts";
import { type CredentialServices, createCredentialServices } from "../credentials/credential-services.ts";

/**
 * Linked accounts, when any provider is configured: the vault, linking and the broker, all on
 * Redis under the queue prefix. Startup fails naming THREADHANDS_SECRET_KEY or a provider's
 * client variables when they are missing or malformed.
 */
export function setUpCredentials(
  config: AppConfig,
  env: Record<string, string | undefined>,
  redis: Redis,
): CredentialServices | undefined {
  if (Object.keys(config.credentials.providers).length === 0) return undefined;
  const prefix = `${config.queue.prefix}:credentials`;
  return createCredentialServices({
    settings: config.credentials,
    env,
    records: createRedisTokenRecordStore(redis, { prefix }),
    lock: createRedisRefreshLock(redis, { prefix }),
    states: createRedisOAuthStateStore(redis, { prefix }),
  });
}

/** Where users' browsers reach us; defaults to this machine for a developer's laptop. */
export function publicBaseUrl(config: AppConfig): string {
  return config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
}
