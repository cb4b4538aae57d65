import type { CredentialOwner } from "./owner.ts";
import {
  type ExposedCredential,
  exposeToken,
  type OAuthProvider,
  type ProviderRegistry,
} from "./provider-config.ts";
import type { TokenVault } from "./token-vault.ts";

export interface MissingCredential {
  provider: string;
  displayName: string;
  reason: "not_linked" | "expired" | "unknown_provider";
  /** How to fix it, for the chat and for the model ("run `link github`; the link comes to you only"). */
  linkHint: string;
  /** One line for the thread: "<@U1> has not linked GitHub. …". */
  message: string;
}

export type ResolvedCredentials =
  | {
      ok: true;
      /** Merge into ExecOptions.env of this one exec. */
      env: Record<string, string>;
      /** For exposures of type `file`: write to a tmpfs for this exec, remove after. */
      files: NonNullable<ExposedCredential["files"]>;
      /** Hand to createScrubber for everything this exec outputs. */
      secrets: string[];
    }
  | { ok: false; missing: MissingCredential[] };

export interface CredentialBroker {
  /** The requesting user's tokens for one exec. Only ever call it with the requester as `owner`. */
  resolve(input: {
    owner: CredentialOwner;
    providers: string[];
    /** How to name the user in `message` (a Slack/Discord mention); defaults to the user id. */
    userLabel?: string;
    signal?: AbortSignal;
  }): Promise<ResolvedCredentials>;
  /** Names the model may ask for (for the tool description). */
  readonly providerNames: string[];
}

export interface CredentialBrokerOptions {
  vault: Pick<TokenVault, "getFreshToken">;
  providers: ProviderRegistry;
  /** Tells a user how to link; the default names the chat command. Never put a link URL in a thread: anyone could finish it. */
  linkHint?: (provider: OAuthProvider | undefined, name: string, owner: CredentialOwner) => string;
}

const defaultLinkHint = (provider: OAuthProvider | undefined, name: string) =>
  provider
    ? `Mention the bot with \`link ${name}\` to link ${provider.displayName}; the sign-in link is sent only to you.`
    : `Ask an admin to configure "${name}" under credentials.providers.`;

export function createCredentialBroker(options: CredentialBrokerOptions): CredentialBroker {
  const { vault, providers } = options;
  const linkHint = options.linkHint ?? defaultLinkHint;
  return {
    providerNames: [...providers.keys()],
    async resolve({ owner, providers: wanted, userLabel, signal }) {
      const env: Record<string, string> = {};
      const files: NonNullable<ExposedCredential["files"]> = [];
      const secrets: string[] = [];
      const missing: MissingCredential[] = [];
      const label = userLabel ?? owner.user;
      for (const name of new Set(wanted)) {
        const provider = providers.get(name);
        if (!provider) {
          const hint = linkHint(undefined, name, owner);
          missing.push({
            provider: name,
            displayName: name,
            reason: "unknown_provider",
            linkHint: hint,
            message: `No credential provider "${name}" is configured. ${hint}`,
          });
          continue;
        }
        const fresh = await vault.getFreshToken(owner, name, signal);
        if (fresh.status !== "ok") {
          const hint = linkHint(provider, name, owner);
          const what =
            fresh.status === "expired"
              ? `'s ${provider.displayName} link has expired`
              : ` has not linked ${provider.displayName}`;
          missing.push({
            provider: name,
            displayName: provider.displayName,
            reason: fresh.status,
            linkHint: hint,
            message: `${label}${what}. ${hint}`,
          });
          continue;
        }
        const exposed = exposeToken(fresh.token.accessToken, provider.expose);
        Object.assign(env, exposed.env);
        files.push(...(exposed.files ?? []));
        secrets.push(fresh.token.accessToken);
      }
      // All or nothing: a command half-credentialed fails in confusing ways.
      if (missing.length) return { ok: false, missing };
      return { ok: true, env, files, secrets };
    },
  };
}
