import type { StoredMessage } from "./slack-message-store.ts";
import {
  type SlackArgs,
  type SlackMethodContext,
  type SlackMethodHandler,
  type SlackResult,
  slackError,
  stringArg,
} from "./slack-method-context.ts";
import { validateBlocks } from "./validate-blocks.ts";

/** chat.* and reactions.add: the methods that change what a channel shows. */

const MAX_TEXT_LENGTH = 40_000;

/** Rejects what Slack rejects: missing content, unparseable or over-limit blocks, huge text. */
function checkContent(args: SlackArgs, invalidJsonFields: string[]): SlackResult | undefined {
  if (invalidJsonFields.includes("blocks")) return slackError("invalid_blocks_format");
  const text = stringArg(args, "text");
  if (text === undefined && args.blocks === undefined && args.attachments === undefined) {
    return slackError("no_text");
  }
  if (text !== undefined && text.length > MAX_TEXT_LENGTH) return slackError("msg_too_long");
  if (args.blocks !== undefined) {
    const errors = validateBlocks(args.blocks);
    if (errors.length > 0) {
      return slackError("invalid_blocks", {
        errors,
        response_metadata: { messages: errors.map((error) => `[ERROR] ${error}`) },
      });
    }
  }
  return undefined;
}

/** The message object Slack echoes back, as a bot token's post looks. */
export function renderMessage(message: StoredMessage, context: SlackMethodContext): Record<string, unknown> {
  const { identity } = context;
  const fromBot = message.bot_id !== undefined;
  const parent = message.thread_ts ? context.store.find(message.channel, message.thread_ts) : undefined;
  const replies = context.store
    .thread(message.channel, message.ts)
    .filter((reply) => reply.ts !== message.ts);
  return {
    type: "message",
    ...(message.user !== undefined ? { user: message.user } : {}),
    ...(fromBot
      ? {
          bot_id: message.bot_id,
          app_id: identity.appId,
          bot_profile: {
            id: message.bot_id,
            app_id: identity.appId,
            name: identity.botName,
            deleted: false,
            team_id: identity.teamId,
          },
        }
      : {}),
    text: message.text,
    ts: message.ts,
    team: identity.teamId,
    ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
    ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
    ...(message.metadata !== undefined ? { metadata: message.metadata } : {}),
    ...(message.files !== undefined ? { files: message.files, upload: false } : {}),
    ...(message.thread_ts !== undefined ? { thread_ts: message.thread_ts } : {}),
    ...(parent?.user !== undefined && message.thread_ts !== message.ts
      ? { parent_user_id: parent.user }
      : {}),
    ...(replies.length > 0
      ? {
          thread_ts: message.ts,
          reply_count: replies.length,
          reply_users: [...new Set(replies.map((reply) => reply.user).filter(Boolean))],
          latest_reply: replies.at(-1)?.ts,
        }
      : {}),
    ...(message.edited !== undefined ? { edited: message.edited } : {}),
    ...(message.reactions.length > 0 ? { reactions: message.reactions } : {}),
  };
}

export const chatMethods: Record<string, SlackMethodHandler> = {
  "chat.postMessage": (args, context, meta) => {
    const channel = stringArg(args, "channel");
    if (!channel) return slackError("channel_not_found");
    const rejected = checkContent(args, meta.invalidJsonFields);
    if (rejected) return rejected;
    const message = context.store.add(channel, {
      thread_ts: stringArg(args, "thread_ts"),
      text: stringArg(args, "text") ?? "",
      blocks: args.blocks as unknown[] | undefined,
      attachments: args.attachments,
      metadata: args.metadata,
      user: context.identity.botUserId,
      bot_id: context.identity.botId,
    });
    return { ok: true, channel, ts: message.ts, message: renderMessage(message, context) };
  },

  "chat.update": (args, context, meta) => {
    const channel = stringArg(args, "channel");
    const ts = stringArg(args, "ts");
    if (!channel) return slackError("channel_not_found");
    const message = ts ? context.store.find(channel, ts) : undefined;
    if (!message) return slackError("message_not_found");
    if (message.bot_id !== context.identity.botId) return slackError("cant_update_message");
    const rejected = checkContent(args, meta.invalidJsonFields);
    if (rejected) return rejected;
    message.history.push({ text: message.text, blocks: message.blocks });
    // Slack keeps fields the update leaves out; an empty blocks array removes the blocks.
    const text = stringArg(args, "text");
    if (text !== undefined) message.text = text;
    if (args.blocks !== undefined) {
      const blocks = args.blocks as unknown[];
      message.blocks = blocks.length > 0 ? blocks : undefined;
    }
    if (args.attachments !== undefined) message.attachments = args.attachments;
    if (args.metadata !== undefined) message.metadata = args.metadata;
    message.edited = { user: context.identity.botUserId, ts: context.store.nextTs() };
    return {
      ok: true,
      channel,
      ts: message.ts,
      text: message.text,
      message: renderMessage(message, context),
    };
  },

  "chat.postEphemeral": (args, context, meta) => {
    const channel = stringArg(args, "channel");
    const user = stringArg(args, "user");
    if (!channel) return slackError("channel_not_found");
    if (!user) return slackError("user_not_in_channel");
    const rejected = checkContent(args, meta.invalidJsonFields);
    if (rejected) return rejected;
    const ephemeral = context.store.addEphemeral({
      channel,
      user,
      thread_ts: stringArg(args, "thread_ts"),
      text: stringArg(args, "text") ?? "",
      blocks: args.blocks as unknown[] | undefined,
    });
    return { ok: true, message_ts: ephemeral.message_ts };
  },

  "chat.delete": (args, context) => {
    const channel = stringArg(args, "channel");
    const ts = stringArg(args, "ts");
    if (!channel) return slackError("channel_not_found");
    const message = ts ? context.store.find(channel, ts) : undefined;
    if (!message) return slackError("message_not_found");
    if (message.bot_id !== context.identity.botId) return slackError("cant_delete_message");
    message.deleted = true;
    return { ok: true, channel, ts: message.ts };
  },

  "reactions.add": (args, context) => {
    const channel = stringArg(args, "channel");
    const timestamp = stringArg(args, "timestamp");
    const name = stringArg(args, "name")?.replace(/^:|:$/g, "");
    if (!channel) return slackError("channel_not_found");
    if (!name) return slackError("invalid_name");
    const message = timestamp ? context.store.find(channel, timestamp) : undefined;
    if (!message) return slackError("message_not_found");
    const user = context.identity.botUserId;
    let reaction = message.reactions.find((existing) => existing.name === name);
    if (reaction?.users.includes(user)) return slackError("already_reacted");
    if (!reaction) {
      reaction = { name, users: [], count: 0 };
      message.reactions.push(reaction);
    }
    reaction.users.push(user);
    reaction.count = reaction.users.length;
    return { ok: true };
  },
};
