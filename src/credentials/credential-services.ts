import {
  type CredentialBroker,
  type CredentialBrokerOptions,
  createCredentialBroker,
} from "./credential-broker.ts";
import { createOAuthCallbackHandler, type OAuthCallbackHandlerOptions } from "./oauth-callback-handler.ts";
import { createOAuthClients, createOAuthLinking, type OAuthLinking } from "./oauth-linking.ts";
import type { OAuthStateStore } from "./oauth-state-store.ts";
import { type CredentialsSettings, type ProviderRegistry, resolveProviders } from "./provider-config.ts";
import { loadVaultKeys } from "./secret-key.ts";
import { createTokenVault, type RefreshLock, type TokenRecordStore, type TokenVault } from "./token-vault.ts";

export interface CredentialServicesOptions {
  /** `credentials` of the YAML file (credentialsSettingsSchema). */
  settings: CredentialsSettings;
  /** process.env: THREADHANDS_SECRET_KEY[_OLD] and each provider's client id and secret. */
  env: Record<string, string | undefined>;
  records: TokenRecordStore;
  lock: RefreshLock;
  states: OAuthStateStore;
  linkHint?: CredentialBrokerOptions["linkHint"];
  now?: () => number;
}

export interface CredentialServices {
  providers: ProviderRegistry;
  vault: TokenVault;
  linking: OAuthLinking;
  broker: CredentialBroker;
  /** For `GET /oauth/:provider/callback` on the ingress HTTP server. */
  callbackHandler(
    options: Omit<OAuthCallbackHandlerOptions, "linking">,
  ): ReturnType<typeof createOAuthCallbackHandler>;
}

/**
 * The composition root's one call: validates keys and providers (failing startup with variable
 * names), and shares one set of OAuth clients between linking and refresh.
 */
export function createCredentialServices(options: CredentialServicesOptions): CredentialServices {
  const keys = loadVaultKeys(options.env);
  const providers = resolveProviders(options.settings, options.env);
  const now = options.now;
  const clients = createOAuthClients(providers, now);
  const vault = createTokenVault({
    store: options.records,
    lock: options.lock,
    keys,
    clients,
    ...(now ? { now } : {}),
  });
  const linking = createOAuthLinking({
    providers,
    vault,
    states: options.states,
    clients,
    ...(now ? { now } : {}),
  });
  const broker = createCredentialBroker({
    vault,
    providers,
    ...(options.linkHint ? { linkHint: options.linkHint } : {}),
  });
  return {
    providers,
    vault,
    linking,
    broker,
    callbackHandler: (handlerOptions) => createOAuthCallbackHandler({ linking, ...handlerOptions }),
  };
}
