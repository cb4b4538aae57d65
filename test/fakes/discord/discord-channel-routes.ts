import {
  type DiscordContext,
  discordError,
  ok,
  type Route,
  type RouteResult,
  unknownChannel,
  unknownMessage,
} from "./discord-context.ts";
import {
  channelPayload,
  channelTypes,
  gatewayMessagePayload,
  messagePayload,
  type StoredMessage,
} from "./discord-payloads.ts";
import { validateMessageBody } from "./discord-validation.ts";

/** Channel, message and thread routes a bot token uses, with the answers and dispatches Discord gives. */

const hasThreadFlag = 32;

export function applyMessageBody(
  message: StoredMessage,
  body: Record<string, unknown>,
  files: StoredMessage["attachments"],
) {
  if (typeof body.content === "string") message.content = body.content;
  if (Array.isArray(body.components)) message.components = body.components;
  if (Array.isArray(body.embeds)) message.embeds = body.embeds;
  if (typeof body.flags === "number") message.flags = (message.flags & ~4) | (body.flags & 4);
  if (files.length > 0) message.attachments = [...message.attachments, ...files];
}

export function dispatchMessage(
  context: DiscordContext,
  event: "MESSAGE_CREATE" | "MESSAGE_UPDATE",
  message: StoredMessage,
) {
  context.gateway.dispatch(event, gatewayMessagePayload(message, context.baseUrl()));
}

export function createBotMessage(
  context: DiscordContext,
  channelId: string,
  body: Record<string, unknown>,
  files: StoredMessage["attachments"],
  extra: Partial<StoredMessage> = {},
) {
  const message = context.store.addMessage({ channelId, author: context.botUser, content: "", ...extra });
  applyMessageBody(message, body, files);
  return message;
}

const postMessage: Route = (request, [channelId = ""], context) => {
  if (!context.store.channels.has(channelId)) return unknownChannel();
  const invalid = validateMessageBody(request.body, { fileCount: request.files.length, isEdit: false });
  if (invalid) return { status: 400, body: invalid };
  const message = createBotMessage(context, channelId, request.body, request.files);
  dispatchMessage(context, "MESSAGE_CREATE", message);
  return ok(messagePayload(message, context.baseUrl()));
};

export function editMessage(
  context: DiscordContext,
  message: StoredMessage,
  request: { body: Record<string, unknown>; files: StoredMessage["attachments"] },
): RouteResult {
  const invalid = validateMessageBody(request.body, { fileCount: request.files.length, isEdit: true });
  if (invalid) return { status: 400, body: invalid };
  message.history.push({ content: message.content, components: message.components });
  applyMessageBody(message, request.body, request.files);
  message.editedAt = new Date().toISOString();
  dispatchMessage(context, "MESSAGE_UPDATE", message);
  return ok(messagePayload(message, context.baseUrl()));
}

const patchMessage: Route = (request, [channelId = "", messageId = ""], context) => {
  const message = context.store.messages.get(messageId);
  if (!message || message.channelId !== channelId) return unknownMessage();
  if (message.author.id !== context.botUser.id)
    return discordError(403, 50005, "Cannot edit a message authored by another user");
  return editMessage(context, message, request);
};

const getMessage: Route = (_request, [channelId = "", messageId = ""], context) => {
  const message = context.store.messages.get(messageId);
  if (!message || message.channelId !== channelId) return unknownMessage();
  return ok(messagePayload(message, context.baseUrl()));
};

const getChannel: Route = (_request, [channelId = ""], context) => {
  const channel = context.store.channels.get(channelId);
  return channel ? ok(channelPayload(channel)) : unknownChannel();
};

/** A thread started from a message takes the message's id, and a message starts one thread only. */
const startThreadFromMessage: Route = (request, [channelId = "", messageId = ""], context) => {
  const channel = context.store.channels.get(channelId);
  if (!channel) return unknownChannel();
  if (channel.type !== channelTypes.guildText)
    return discordError(400, 50024, "Cannot execute action on this channel type");
  const message = context.store.messages.get(messageId);
  if (!message || message.channelId !== channelId) return unknownMessage();
  if (context.store.channels.has(messageId)) {
    return discordError(400, 160004, "A thread has already been created for this message");
  }
  const name = request.body.name;
  if (typeof name !== "string" || name.length < 1 || name.length > 100) {
    return discordError(400, 50035, "Invalid Form Body", {
      name: { _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 100 in length." }] },
    });
  }
  const thread = context.store.addChannel({
    id: messageId,
    type: channelTypes.publicThread,
    name,
    parentId: channelId,
    ownerId: context.botUser.id,
  });
  message.flags |= hasThreadFlag;
  const payload = channelPayload(thread);
  context.gateway.dispatch("THREAD_CREATE", {
    ...payload,
    newly_created: true,
    member: { id: thread.id, user_id: context.botUser.id, join_timestamp: thread.createdAt, flags: 1 },
  });
  return ok(payload, 201);
};

const putCommands: Route = (request, [applicationId = ""], context) => {
  if (applicationId !== context.applicationId) return discordError(403, 50001, "Missing Access");
  const commands = Array.isArray(request.body) ? (request.body as Array<Record<string, unknown>>) : [];
  context.store.commands = commands.map((command) => ({
    id: context.store.nextId(),
    application_id: applicationId,
    version: context.store.nextId(),
    default_member_permissions: null,
    type: 1,
    nsfw: false,
    integration_types: [0],
    contexts: null,
    description_localizations: null,
    name_localizations: null,
    ...command,
  }));
  return ok(context.store.commands);
};

const getCommands: Route = (_request, [applicationId = ""], context) =>
  applicationId === context.applicationId
    ? ok(context.store.commands)
    : discordError(403, 50001, "Missing Access");

export const channelRoutes: Array<[string, RegExp, Route]> = [
  ["GET /channels/{channel}", /^\/channels\/(\d+)$/, getChannel],
  ["POST /channels/{channel}/messages", /^\/channels\/(\d+)\/messages$/, postMessage],
  ["GET /channels/{channel}/messages/{message}", /^\/channels\/(\d+)\/messages\/(\d+)$/, getMessage],
  ["PATCH /channels/{channel}/messages/{message}", /^\/channels\/(\d+)\/messages\/(\d+)$/, patchMessage],
  [
    "POST /channels/{channel}/messages/{message}/threads",
    /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/,
    startThreadFromMessage,
  ],
  ["PUT /applications/{application}/commands", /^\/applications\/(\d+)\/commands$/, putCommands],
  ["GET /applications/{application}/commands", /^\/applications\/(\d+)\/commands$/, getCommands],
];
