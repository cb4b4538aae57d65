import { randomUUID } from "node:crypto";
import type { ThreadRef } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import type { CredentialBroker } from "../credentials/credential-broker.ts";
import { withCredentialFiles } from "../credentials/file-exposure.ts";
import { isAtLeast, type RiskLevel } from "../policy/risk.ts";
import type { ActiveTurn, SessionStore } from "../session/session-store.ts";
import { AwaitingApproval, type CommandCredentials } from "../tools/command-credentials.ts";

export interface TurnCredentialsOptions {
  broker: CredentialBroker;
  store: SessionStore;
  poster: ThreadPoster;
  key: string;
  thread: ThreadRef;
  turn: ActiveTurn;
  /** Credentialed commands at or above this level wait for their owner's Approve. */
  approveAt: RiskLevel;
  /** A decision made while the turn was parked, for the call it was parked on. */
  decided?: { callId: string; decision: "approved" | "denied" };
  /** Every token handed to an exec, so the turn scrubs it from all output. */
  onSecrets(secrets: string[]): void;
}

/**
 * The accounts of the user whose request the model is acting on (the author of the latest
 * message it read). Alice's request runs with Alice's token, Bob's with Bob's; nobody else's
 * token is ever looked up.
 */
export function createTurnCredentials(options: TurnCredentialsOptions): CommandCredentials {
  const { broker, turn } = options;
  const requester = () => {
    if (!turn.requester) throw new Error("a credentialed command needs a requester");
    return turn.requester;
  };
  const displayName = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

  return {
    providerNames: broker.providerNames,

    approvalState(callId, risk) {
      if (options.decided?.callId === callId) return options.decided.decision;
      return isAtLeast(risk, options.approveAt) ? "needed" : "not_needed";
    },

    async requestApproval({ callId, command, providers, risk }) {
      const approvalId = randomUUID();
      const ownerId = requester().id;
      const messageRef = await options.poster.postApproval(options.thread, {
        approvalId,
        command,
        accounts: providers.map(displayName),
        ownerId,
        risk,
      });
      await options.store.saveApproval(options.key, {
        approvalId,
        callId,
        command,
        providers,
        ownerId,
        risk,
        createdAt: new Date().toISOString(),
        messageRef,
      });
      throw new AwaitingApproval(approvalId, callId);
    },

    async resolve(providers, command, signal) {
      const user = requester();
      const owner = { platform: options.thread.platform, workspace: options.thread.workspace, user: user.id };
      const resolved = await broker.resolve({ owner, providers, userLabel: `<@${user.id}>`, signal });
      if (!resolved.ok) {
        const message = resolved.missing.map((missing) => missing.message).join(" ");
        await options.poster.postNotice(options.thread, `:key: ${message}`);
        return { ok: false, message };
      }
      options.onSecrets(resolved.secrets);
      if (resolved.files.length === 0) return { ok: true, env: resolved.env, command };
      const wrapped = withCredentialFiles(command, resolved.files, resolved.env);
      return { ok: true, env: { ...resolved.env, ...wrapped.env }, command: wrapped.command };
    },

    async audit(command, providers, exitCode) {
      const accounts = providers.map(displayName).join(", ");
      const short = command.length > 200 ? `${command.slice(0, 199)}…` : command;
      await options.poster.postNotice(
        options.thread,
        `:key: \`${short.replaceAll("`", "ˋ")}\` ran as <@${requester().id}> with ${accounts} (exit ${exitCode ?? "signal"}).`,
      );
    },
  };
}
