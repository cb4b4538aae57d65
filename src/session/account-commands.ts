import type { InboundMessage } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import type { OAuthLinking } from "../credentials/oauth-linking.ts";

/** "connect github", "link github", "disconnect github", "unlink github". */
const accountCommand = /^\s*(connect|link|disconnect|unlink)\s+([a-z0-9][a-z0-9-]*)\s*$/i;

/** Ingress asks, so that linking an account does not open an empty session thread. */
export function isAccountCommand(text: string): boolean {
  return accountCommand.test(text);
}

export interface AccountCommandOptions {
  linking: OAuthLinking;
  /** Public base URL of this app; the provider redirects to <base>/oauth/<provider>/callback. */
  publicBaseUrl: string;
  poster: ThreadPoster;
}

/**
 * Linking and unlinking accounts from the chat. The sign-in link goes to the asking user only:
 * whoever completes it links their provider account to the state's owner, so a link in the
 * thread would let anyone attach their account to someone else's name.
 */
export async function handleAccountCommand(
  options: AccountCommandOptions,
  message: InboundMessage,
  signal: AbortSignal,
): Promise<boolean> {
  const match = accountCommand.exec(message.text);
  if (!match) return false;
  const verb = (match[1] ?? "").toLowerCase();
  const provider = (match[2] ?? "").toLowerCase();
  const owner = {
    platform: message.thread.platform,
    workspace: message.thread.workspace,
    user: message.user.id,
  };
  const tell = (text: string) => options.poster.postPrivate(message.thread, message.user.id, text, signal);

  if (verb === "connect" || verb === "link") {
    const started = await options.linking.startLink({
      owner,
      provider,
      redirectBaseUrl: options.publicBaseUrl,
      thread: message.thread,
      signal,
    });
    if (!started.ok) await tell(started.message);
    else {
      const minutes = Math.max(1, Math.round((Date.parse(started.expiresAt) - Date.now()) / 60_000));
      await tell(
        `Sign in to link your ${provider} account (this link is only for you, valid for ${minutes} minutes): ${started.url}`,
      );
    }
    return true;
  }

  const result = await options.linking.disconnect(owner, provider, signal);
  if (!result.ok) await tell(`No account provider "${provider}" is configured.`);
  else if (!result.wasLinked) await tell(`You had not linked ${provider}; nothing to remove.`);
  else if (result.revokeFailed) {
    await tell(
      `Removed your ${provider} token here, but revoking it at ${provider} failed: revoke the app in your ${provider} settings.`,
    );
  } else await tell(`Unlinked ${provider}: the token was revoked and deleted.`);
  return true;
}
