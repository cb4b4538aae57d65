import { randomBytes } from "node:crypto";
import { freshTs } from "./event-builders.ts";
import { DEFAULT_SLACK_IDENTITY, VERIFICATION_TOKEN } from "./slack-identity.ts";

/** Interaction payloads as Slack POSTs them to the interactivity URL (form field `payload`). */

export interface BlockActionsInput {
  /** The clicking user's id. */
  user: string;
  userName?: string;
  channel: string;
  channelName?: string;
  /** ts of the message that carries the button. */
  messageTs: string;
  /** The thread the button message lives in, if any. */
  threadTs?: string;
  actionId: string;
  value: string;
  blockId?: string;
  buttonText?: string;
  teamId?: string;
  appId?: string;
  isEphemeral?: boolean;
  /** Text/blocks of the button message; pass `fake.messages(channel)` entries to echo what the bot posted. */
  message?: { text?: string; blocks?: unknown[]; user?: string; bot_id?: string };
  /** Where `respond()` posts; point it at the fake Slack's `responseUrl()` when the bot uses it. */
  responseUrl?: string;
}

export function blockActionsPayload(input: BlockActionsInput): Record<string, unknown> {
  const teamId = input.teamId ?? DEFAULT_SLACK_IDENTITY.teamId;
  const appId = input.appId ?? DEFAULT_SLACK_IDENTITY.appId;
  const userName = input.userName ?? input.user.toLowerCase();
  const blockId = input.blockId ?? randomBytes(3).toString("base64url");
  const buttonText = input.buttonText ?? "Restore";
  const message = {
    type: "message",
    user: input.message?.user ?? DEFAULT_SLACK_IDENTITY.botUserId,
    bot_id: input.message?.bot_id ?? DEFAULT_SLACK_IDENTITY.botId,
    app_id: appId,
    text: input.message?.text ?? "",
    // Without the bot's own blocks, a minimal actions block holding the clicked button.
    blocks: input.message?.blocks ?? [
      {
        type: "actions",
        block_id: blockId,
        elements: [
          {
            type: "button",
            action_id: input.actionId,
            text: { type: "plain_text", text: buttonText, emoji: true },
            value: input.value,
          },
        ],
      },
    ],
    ts: input.messageTs,
    team: teamId,
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
  };
  const triggerId = `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString("hex")}`;
  return {
    type: "block_actions",
    user: { id: input.user, username: userName, name: userName, team_id: teamId },
    api_app_id: appId,
    token: VERIFICATION_TOKEN,
    container: {
      type: "message",
      message_ts: input.messageTs,
      channel_id: input.channel,
      is_ephemeral: input.isEphemeral ?? false,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    },
    trigger_id: triggerId,
    team: { id: teamId, domain: DEFAULT_SLACK_IDENTITY.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channel, name: input.channelName ?? "incidents" },
    message,
    state: { values: {} },
    response_url:
      input.responseUrl ??
      `https://hooks.slack.com/actions/${teamId}/${Date.now()}/${randomBytes(12).toString("hex")}`,
    actions: [
      {
        action_id: input.actionId,
        block_id: blockId,
        text: { type: "plain_text", text: buttonText, emoji: true },
        value: input.value,
        type: "button",
        action_ts: freshTs(),
      },
    ],
  };
}
