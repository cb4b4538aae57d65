import { renderMessage } from "./chat-methods.ts";
import { compareTs } from "./slack-message-store.ts";
import {
  type SlackMethodContext,
  type SlackMethodHandler,
  type SlackUser,
  slackError,
  stringArg,
} from "./slack-method-context.ts";

/** auth.test, users.info and conversations.replies: the read-only workspace methods. */

/** Slack user IDs start with U (or W on Enterprise Grid); anything else is a caller bug. */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

function renderUser(user: SlackUser, context: SlackMethodContext): Record<string, unknown> {
  const realName = user.real_name ?? user.name;
  const { id, name, real_name: _realName, is_bot: isBot, tz, email, ...rest } = user;
  return {
    id,
    team_id: context.identity.teamId,
    name,
    deleted: false,
    real_name: realName,
    tz: tz ?? "Europe/Berlin",
    tz_label: "Central European Time",
    tz_offset: 3600,
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: name,
      display_name_normalized: name,
      ...(email !== undefined ? { email } : {}),
      team: context.identity.teamId,
    },
    is_admin: false,
    is_owner: false,
    is_bot: isBot ?? false,
    is_app_user: false,
    updated: 1_700_000_000,
    ...rest,
  };
}

export const workspaceMethods: Record<string, SlackMethodHandler> = {
  "auth.test": (_args, context) => {
    const { identity } = context;
    return {
      ok: true,
      url: `https://${identity.teamDomain}.slack.com/`,
      team: identity.teamName,
      user: identity.botName,
      team_id: identity.teamId,
      user_id: identity.botUserId,
      bot_id: identity.botId,
      is_enterprise_install: false,
    };
  },

  "users.info": (args, context) => {
    const id = stringArg(args, "user");
    if (!id) return slackError("user_not_found");
    const known = context.users.get(id);
    if (known) return { ok: true, user: renderUser(known, context) };
    // Any well-formed id resolves, so tests need not register every participant up front.
    if (!USER_ID.test(id)) return slackError("user_not_found");
    return { ok: true, user: renderUser({ id, name: id.toLowerCase() }, context) };
  },

  "conversations.replies": (args, context) => {
    const channel = stringArg(args, "channel");
    const ts = stringArg(args, "ts");
    if (!channel) return slackError("channel_not_found");
    if (!ts) return slackError("thread_not_found");
    const thread = context.store.thread(channel, ts);
    if (!thread.some((message) => message.ts === ts)) return slackError("thread_not_found");
    const oldest = stringArg(args, "oldest");
    const latest = stringArg(args, "latest");
    const inclusive = stringArg(args, "inclusive") === "true" || stringArg(args, "inclusive") === "1";
    const inRange = thread.filter((message) => {
      if (oldest && (inclusive ? compareTs(message.ts, oldest) < 0 : compareTs(message.ts, oldest) <= 0)) {
        return false;
      }
      if (latest && (inclusive ? compareTs(message.ts, latest) > 0 : compareTs(message.ts, latest) >= 0)) {
        return false;
      }
      return true;
    });
    // Cursor pagination as Slack does it: an opaque cursor, an empty next_cursor at the end.
    const limit = Math.max(1, Math.min(Number(stringArg(args, "limit") ?? 1000) || 1000, 1000));
    const cursor = stringArg(args, "cursor");
    const start = cursor ? Number(Buffer.from(cursor, "base64").toString("utf8").replace("offset:", "")) : 0;
    const page = inRange.slice(start, start + limit);
    const hasMore = start + limit < inRange.length;
    const nextCursor = hasMore ? Buffer.from(`offset:${start + limit}`).toString("base64") : "";
    return {
      ok: true,
      messages: page.map((message) => renderMessage(message, context)),
      has_more: hasMore,
      response_metadata: { next_cursor: nextCursor },
    };
  },
};
