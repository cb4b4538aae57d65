import { DiscordAPIError, type REST, RESTJSONErrorCodes, Routes } from "discord.js";
import type { ThreadRef } from "../../src/chat/thread.ts";

/** Normalising Discord's ids into the core's references, and starting a session's thread. */

/** The message id is Discord's snowflake, unique across Discord: a replay maps to the same job. */
export function messageIdOf(messageId: string): string {
  return `discord:message:${messageId}`;
}

/** A slash command has no message of its own; its interaction id is just as unique. */
export function commandMessageIdOf(interactionId: string): string {
  return `discord:interaction:${interactionId}`;
}

export function threadRefOf(guildId: string, parentChannelId: string, threadId: string): ThreadRef {
  return { platform: "discord", workspace: guildId, channel: parentChannelId, thread: threadId };
}

/** Removes mentions of the bot (`<@id>` and the legacy nickname form `<@!id>`). */
export function withoutBotMention(text: string, botUserId: string): string {
  return text.replaceAll(`<@${botUserId}>`, "").replaceAll(`<@!${botUserId}>`, "").trim();
}

/** Thread names are 1 to 100 characters; the request's first line reads best. */
export function threadNameFor(text: string): string {
  const firstLine =
    text
      .split("\n")
      .find((line) => line.trim())
      ?.trim() ?? "";
  const name = firstLine.replace(/<@!?\d+>/g, "").trim() || "investigation";
  return name.length > 90 ? `${name.slice(0, 89)}…` : name;
}

/**
 * Starts a public thread from a message. A thread started from a message shares the message's
 * id, so when a replayed event finds the thread already there (error 160004) the id is known.
 */
export async function startThreadFrom(
  rest: REST,
  channelId: string,
  messageId: string,
  name: string,
): Promise<string> {
  try {
    const thread = (await rest.post(Routes.threads(channelId, messageId), {
      body: { name, auto_archive_duration: 1440 },
    })) as { id: string };
    return thread.id;
  } catch (error) {
    if (
      error instanceof DiscordAPIError &&
      error.code === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage
    ) {
      return messageId;
    }
    throw error;
  }
}
