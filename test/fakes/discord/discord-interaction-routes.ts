import { createBotMessage, dispatchMessage, editMessage } from "./discord-channel-routes.ts";
import { type DiscordContext, discordError, ok, type Route, unknownMessage } from "./discord-context.ts";
import { messagePayload, type StoredMessage } from "./discord-payloads.ts";
import type { StoredInteraction } from "./discord-store.ts";
import { validateMessageBody } from "./discord-validation.ts";

/**
 * The interaction callback and the interaction webhook (`@original`, follow-ups). These are
 * authorised by the interaction token in the path, not the bot token. A callback must come
 * within 3 s and only once; the webhook lives 15 minutes.
 */

export const callbackTypes = {
  channelMessage: 4,
  deferredChannelMessage: 5,
  deferredUpdate: 6,
  updateMessage: 7,
} as const;

const ephemeralFlag = 64;
const loadingFlag = 128;
const callbackDeadlineMs = 3000;
const webhookLifetimeMs = 15 * 60 * 1000;

const unknownInteraction = () => discordError(404, 10062, "Unknown interaction");
const unknownWebhook = () => discordError(404, 10015, "Unknown Webhook");

function responseMessage(
  context: DiscordContext,
  interaction: StoredInteraction,
  body: Record<string, unknown>,
  files: StoredMessage["attachments"],
  flags: number,
) {
  return createBotMessage(context, interaction.channelId, body, files, {
    webhookId: context.applicationId,
    flags,
    interaction: { id: interaction.id, type: interaction.type, user: interaction.user },
  });
}

const callback: Route = (request, [id = "", token = ""], context) => {
  const interaction = context.store.interactions.get(id);
  if (!interaction || interaction.token !== token) return unknownInteraction();
  if (Date.now() - interaction.createdAt > callbackDeadlineMs) return unknownInteraction();
  if (interaction.callbacks.length > 0)
    return discordError(400, 40060, "Interaction has already been acknowledged.");
  const type = request.body.type;
  const data = (request.body.data ?? undefined) as Record<string, unknown> | undefined;
  const flags = typeof data?.flags === "number" ? data.flags : 0;
  let message: StoredMessage | undefined;
  switch (type) {
    case callbackTypes.channelMessage: {
      const invalid = validateMessageBody(data ?? {}, { fileCount: request.files.length, isEdit: false });
      if (invalid) return { status: 400, body: invalid };
      if (flags & ephemeralFlag) {
        interaction.ephemerals.push(String(data?.content ?? ""));
        break;
      }
      message = responseMessage(context, interaction, data ?? {}, request.files, flags);
      interaction.originalMessageId = message.id;
      dispatchMessage(context, "MESSAGE_CREATE", message);
      break;
    }
    case callbackTypes.deferredChannelMessage:
      message = responseMessage(context, interaction, {}, [], loadingFlag | (flags & ephemeralFlag));
      interaction.originalMessageId = message.id;
      if (!(flags & ephemeralFlag)) dispatchMessage(context, "MESSAGE_CREATE", message);
      break;
    case callbackTypes.deferredUpdate:
    case callbackTypes.updateMessage: {
      if (!interaction.messageId)
        return discordError(400, 50035, "Invalid Form Body", {
          type: {
            _errors: [
              {
                code: "INTERACTION_RESPONSE_TYPE_INVALID",
                message: "Interaction response type is invalid for this interaction.",
              },
            ],
          },
        });
      interaction.originalMessageId = interaction.messageId;
      const clicked = context.store.messages.get(interaction.messageId);
      if (type === callbackTypes.updateMessage && clicked) {
        const edited = editMessage(context, clicked, { body: data ?? {}, files: request.files });
        if (edited.status !== 200) return edited;
      }
      break;
    }
    default:
      return discordError(400, 50035, "Invalid Form Body", {
        type: {
          _errors: [
            { code: "BASE_TYPE_CHOICES", message: "Value must be one of (1, 4, 5, 6, 7, 8, 9, 10, 12)." },
          ],
        },
      });
  }
  interaction.callbacks.push({ type, data, at: Date.now() });
  if (request.query.get("with_response") !== "true") return { status: 204 };
  const original = interaction.originalMessageId
    ? context.store.messages.get(interaction.originalMessageId)
    : undefined;
  return ok({
    interaction: {
      id: interaction.id,
      type: interaction.type,
      activity_instance_id: null,
      response_message_id: original?.id ?? null,
      response_message_loading: type === callbackTypes.deferredChannelMessage,
      response_message_ephemeral: Boolean(flags & ephemeralFlag),
    },
    resource: { type, ...(original ? { message: messagePayload(original, context.baseUrl()) } : {}) },
  });
};

function interactionOfWebhook(context: DiscordContext, applicationId: string, token: string) {
  if (applicationId !== context.applicationId) return undefined;
  const interaction = [...context.store.interactions.values()].find((candidate) => candidate.token === token);
  if (!interaction || Date.now() - interaction.createdAt > webhookLifetimeMs) return undefined;
  return interaction;
}

const editOriginal: Route = (request, [applicationId = "", token = ""], context) => {
  const interaction = interactionOfWebhook(context, applicationId, token);
  if (!interaction) return unknownWebhook();
  const message = interaction.originalMessageId
    ? context.store.messages.get(interaction.originalMessageId)
    : undefined;
  if (!message) return unknownMessage();
  if (message.flags & ephemeralFlag) {
    interaction.ephemerals.push(String(request.body.content ?? ""));
    message.content = String(request.body.content ?? message.content);
    message.flags &= ~loadingFlag;
    return ok(messagePayload(message, context.baseUrl()));
  }
  message.flags &= ~loadingFlag;
  return editMessage(context, message, request);
};

const getOriginal: Route = (_request, [applicationId = "", token = ""], context) => {
  const interaction = interactionOfWebhook(context, applicationId, token);
  if (!interaction) return unknownWebhook();
  const message = interaction.originalMessageId
    ? context.store.messages.get(interaction.originalMessageId)
    : undefined;
  return message ? ok(messagePayload(message, context.baseUrl())) : unknownMessage();
};

const followUp: Route = (request, [applicationId = "", token = ""], context) => {
  const interaction = interactionOfWebhook(context, applicationId, token);
  if (!interaction || interaction.callbacks.length === 0) return unknownWebhook();
  const invalid = validateMessageBody(request.body, { fileCount: request.files.length, isEdit: false });
  if (invalid) return { status: 400, body: invalid };
  const flags = typeof request.body.flags === "number" ? request.body.flags : 0;
  const message = responseMessage(context, interaction, request.body, request.files, flags & ephemeralFlag);
  if (flags & ephemeralFlag) {
    interaction.ephemerals.push(message.content);
    context.store.messages.delete(message.id);
  } else {
    dispatchMessage(context, "MESSAGE_CREATE", message);
  }
  return ok(messagePayload(message, context.baseUrl()));
};

export const interactionRoutes: Array<[string, RegExp, Route]> = [
  [
    "POST /interactions/{interaction}/{token}/callback",
    /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
    callback,
  ],
  [
    "PATCH /webhooks/{application}/{token}/messages/@original",
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(?:@|%40)original$/,
    editOriginal,
  ],
  [
    "GET /webhooks/{application}/{token}/messages/@original",
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(?:@|%40)original$/,
    getOriginal,
  ],
  ["POST /webhooks/{application}/{token}", /^\/webhooks\/(\d+)\/([^/]+)$/, followUp],
];
