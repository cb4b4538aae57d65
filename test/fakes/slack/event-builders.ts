import { randomUUID } from "node:crypto";
import { DEFAULT_SLACK_IDENTITY } from "./slack-identity.ts";
import { formatTs } from "./slack-message-store.ts";

/**
 * Inner Events API events as Slack delivers them (the `event` of an `event_callback`),
 * including the fields real payloads carry that a handler might rely on: client_msg_id,
 * event_ts, team, rich_text blocks, parent_user_id on thread replies.
 */

export interface MessageEventInput {
  user: string;
  text: string;
  channel: string;
  /** Defaults to a fresh ts close to now. */
  ts?: string;
  /** Set for a message inside a thread (the parent's ts). */
  thread_ts?: string;
  /** Who started the thread; Slack sets it on replies. */
  parent_user_id?: string;
  team?: string;
}

export interface AppMentionInput extends MessageEventInput {
  /** The mentioned bot user; defaults to the fake Slack's default bot user. */
  botUserId?: string;
}

export interface BotMessageInput {
  text: string;
  channel: string;
  botId?: string;
  appId?: string;
  /** Bots posting with a bot token also carry their bot user id. */
  user?: string;
  ts?: string;
  thread_ts?: string;
  username?: string;
}

let lastTs = 0n;

/** A realistic ts for a human message: now, unique within the process. */
export function freshTs(): string {
  const now = BigInt(Date.now()) * 1000n;
  lastTs = now > lastTs ? now : lastTs + 1n;
  return formatTs(lastTs);
}

/** Splits `<@U123>` mentions out of text into the rich_text elements Slack sends alongside. */
function richTextBlocks(text: string): unknown[] {
  const elements: unknown[] = [];
  const mention = /<@([A-Z0-9]+)>/g;
  let last = 0;
  for (const match of text.matchAll(mention)) {
    if (match.index > last) elements.push({ type: "text", text: text.slice(last, match.index) });
    elements.push({ type: "user", user_id: match[1] });
    last = match.index + match[0].length;
  }
  if (last < text.length) elements.push({ type: "text", text: text.slice(last) });
  return [
    {
      type: "rich_text",
      block_id: randomUUID().slice(0, 5),
      elements: [{ type: "rich_text_section", elements }],
    },
  ];
}

function threadFields(input: {
  thread_ts?: string;
  parent_user_id?: string;
  ts: string;
}): Record<string, string> {
  if (!input.thread_ts) return {};
  return {
    thread_ts: input.thread_ts,
    ...(input.parent_user_id && input.thread_ts !== input.ts ? { parent_user_id: input.parent_user_id } : {}),
  };
}

export function appMentionEvent(input: AppMentionInput): Record<string, unknown> {
  const botUserId = input.botUserId ?? DEFAULT_SLACK_IDENTITY.botUserId;
  const mention = `<@${botUserId}>`;
  const text = input.text.includes(mention) ? input.text : `${mention} ${input.text}`;
  const ts = input.ts ?? freshTs();
  return {
    client_msg_id: randomUUID(),
    type: "app_mention",
    text,
    user: input.user,
    ts,
    blocks: richTextBlocks(text),
    team: input.team ?? DEFAULT_SLACK_IDENTITY.teamId,
    ...threadFields({ ...input, ts }),
    channel: input.channel,
    event_ts: ts,
  };
}

export function channelMessageEvent(input: MessageEventInput): Record<string, unknown> {
  const ts = input.ts ?? freshTs();
  return {
    client_msg_id: randomUUID(),
    type: "message",
    text: input.text,
    user: input.user,
    ts,
    blocks: richTextBlocks(input.text),
    team: input.team ?? DEFAULT_SLACK_IDENTITY.teamId,
    ...threadFields({ ...input, ts }),
    channel: input.channel,
    event_ts: ts,
    channel_type: "channel",
  };
}

/** A message posted by a bot (possibly ours): what a handler must ignore to avoid loops. */
export function botMessageEvent(input: BotMessageInput): Record<string, unknown> {
  const ts = input.ts ?? freshTs();
  const botId = input.botId ?? DEFAULT_SLACK_IDENTITY.botId;
  const appId = input.appId ?? DEFAULT_SLACK_IDENTITY.appId;
  return {
    type: "message",
    subtype: "bot_message",
    text: input.text,
    ts,
    bot_id: botId,
    app_id: appId,
    ...(input.user ? { user: input.user } : {}),
    ...(input.username ? { username: input.username } : {}),
    bot_profile: { id: botId, app_id: appId, name: input.username ?? "bot", deleted: false },
    ...(input.thread_ts ? { thread_ts: input.thread_ts } : {}),
    channel: input.channel,
    event_ts: ts,
    channel_type: "channel",
  };
}
