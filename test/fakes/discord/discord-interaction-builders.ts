import { randomBytes } from "node:crypto";
import type { DiscordContext } from "./discord-context.ts";
import {
  allPermissions,
  channelPayload,
  type FakeUser,
  memberPayload,
  messagePayload,
  type StoredMessage,
} from "./discord-payloads.ts";
import type { StoredInteraction } from "./discord-store.ts";

/**
 * INTERACTION_CREATE payloads as Discord sends them over the gateway (API v10): a button click
 * (type 3, MESSAGE_COMPONENT) carries the whole clicked message; a slash command (type 2,
 * APPLICATION_COMMAND) its options. Each has a fresh token, valid 3 s for the callback.
 */

export type InteractionInput =
  | { kind: "component"; user: FakeUser; message: StoredMessage; customId: string }
  | { kind: "command"; user: FakeUser; channelId: string; name: string; options: Record<string, string> };

export function buildInteraction(context: DiscordContext, input: InteractionInput) {
  const { store } = context;
  const id = store.nextId();
  // Shaped like Discord's: base64 of "interaction:<id>:<secret>", URL-safe in a path.
  const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString("base64url")}`).toString(
    "base64url",
  );
  const channelId = input.kind === "component" ? input.message.channelId : input.channelId;
  const channel = store.channels.get(channelId);
  if (!channel) throw new Error(`no channel ${channelId} for the interaction`);
  const type = input.kind === "component" ? 3 : 2;
  const record: StoredInteraction = {
    id,
    token,
    type,
    user: input.user,
    channelId,
    ...(input.kind === "component" ? { messageId: input.message.id } : {}),
    createdAt: Date.now(),
    callbacks: [],
    ephemerals: [],
  };
  const command =
    input.kind === "command"
      ? (store.commands as Array<{ id?: string; name?: string }>).find((item) => item.name === input.name)
      : undefined;
  const data =
    input.kind === "component"
      ? { custom_id: input.customId, component_type: 2 }
      : {
          id: command?.id ?? store.nextId(),
          name: input.name,
          type: 1,
          options: Object.entries(input.options).map(([name, value]) => ({ name, type: 3, value })),
        };
  const payload = {
    id,
    application_id: context.applicationId,
    type,
    data,
    guild_id: store.guild.id,
    guild: { id: store.guild.id, locale: "en-US", features: [] },
    channel: channelPayload(channel),
    channel_id: channelId,
    member: memberPayload(input.user, { withUser: true, permissions: true }),
    token,
    version: 1,
    ...(input.kind === "component" ? { message: messagePayload(input.message, context.baseUrl()) } : {}),
    app_permissions: allPermissions,
    locale: "en-US",
    guild_locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": store.guild.id },
    context: 0,
    attachment_size_limit: 10_485_760,
  };
  return { record, payload };
}
