import { snowflakeTime } from "./snowflakes.ts";

/**
 * Gateway and REST objects shaped like Discord API v10 sends them (discord-api-types'
 * APIUser, APIGuildMember, APIGuild, APIChannel, APIMessage, APIInteraction), with the fields
 * a client may rely on present, and nulls where Discord sends nulls.
 */

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string | undefined;
  bytes: Buffer;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  guildId: string;
  author: FakeUser;
  content: string;
  components: unknown[];
  embeds: unknown[];
  attachments: StoredAttachment[];
  flags: number;
  mentions: FakeUser[];
  webhookId?: string;
  /** Set on interaction responses. */
  interaction?: { id: string; type: number; name?: string; user: FakeUser };
  editedAt: string | undefined;
  /** Earlier versions replaced by edits, oldest first. */
  history: Array<{ content: string; components: unknown[] }>;
  /** The message's position in a thread (Discord sets it on thread messages). */
  position?: number;
}

export interface StoredChannel {
  id: string;
  guildId: string;
  type: number;
  name: string;
  parentId: string | null;
  ownerId?: string;
  createdAt: string;
  messageCount: number;
}

export const channelTypes = { guildText: 0, dm: 1, publicThread: 11 } as const;

/** Everything the @everyone role may do in a plain server, as Discord writes permissions: a decimal string. */
export const allPermissions = "2248473465835073";

export function userPayload(user: FakeUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    discriminator: "0",
    global_name: user.bot ? null : user.username,
    avatar: null,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
    ...(user.bot ? { bot: true } : {}),
  };
}

export function memberPayload(user: FakeUser, options: { withUser?: boolean; permissions?: boolean } = {}) {
  return {
    ...(options.withUser ? { user: userPayload(user) } : {}),
    avatar: null,
    banner: null,
    communication_disabled_until: null,
    deaf: false,
    flags: 0,
    joined_at: snowflakeTime(user.id).toISOString(),
    mute: false,
    nick: null,
    pending: false,
    premium_since: null,
    roles: [],
    ...(options.permissions ? { permissions: allPermissions } : {}),
  };
}

export function channelPayload(channel: StoredChannel): Record<string, unknown> {
  if (channel.type === channelTypes.publicThread) {
    return {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      parent_id: channel.parentId,
      owner_id: channel.ownerId,
      name: channel.name,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
      message_count: channel.messageCount,
      member_count: 1,
      total_message_sent: channel.messageCount,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: channel.createdAt,
        locked: false,
        create_timestamp: channel.createdAt,
      },
    };
  }
  return {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    position: 0,
    permission_overwrites: [],
    parent_id: channel.parentId,
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    default_thread_rate_limit_per_user: 0,
    flags: 0,
  };
}

export function guildPayload(guild: { id: string; name: string; ownerId: string }): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [
      {
        id: guild.id,
        name: "@everyone",
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 0,
        permissions: allPermissions,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    public_updates_channel_id: null,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    incidents_data: null,
  };
}

export function attachmentPayload(attachment: StoredAttachment, baseUrl: string, channelId: string) {
  const url = `${baseUrl}/attachments/${channelId}/${attachment.id}/${attachment.filename}`;
  return {
    id: attachment.id,
    filename: attachment.filename,
    size: attachment.size,
    url,
    proxy_url: url,
    ...(attachment.contentType ? { content_type: attachment.contentType } : {}),
  };
}

/** A message as REST returns it; the gateway's MESSAGE_CREATE adds `guild_id` and `member`. */
export function messagePayload(message: StoredMessage, baseUrl: string): Record<string, unknown> {
  return {
    id: message.id,
    type: message.interaction ? (message.interaction.type === 2 ? 20 : 0) : 0,
    channel_id: message.channelId,
    author: userPayload(message.author),
    content: message.content,
    timestamp: snowflakeTime(message.id).toISOString(),
    edited_timestamp: message.editedAt ?? null,
    tts: false,
    mention_everyone: false,
    mentions: message.mentions.map((user) => ({ ...userPayload(user), member: memberPayload(user) })),
    mention_roles: [],
    attachments: message.attachments.map((attachment) =>
      attachmentPayload(attachment, baseUrl, message.channelId),
    ),
    embeds: message.embeds,
    pinned: false,
    flags: message.flags,
    components: message.components,
    ...(message.webhookId ? { webhook_id: message.webhookId } : {}),
    ...(message.position !== undefined ? { position: message.position } : {}),
    ...(message.interaction
      ? {
          application_id: message.webhookId,
          interaction_metadata: {
            id: message.interaction.id,
            type: message.interaction.type,
            user: userPayload(message.interaction.user),
            authorizing_integration_owners: { "0": message.guildId },
            ...(message.interaction.name ? { name: message.interaction.name } : {}),
          },
        }
      : {}),
  };
}

export function gatewayMessagePayload(message: StoredMessage, baseUrl: string): Record<string, unknown> {
  return {
    ...messagePayload(message, baseUrl),
    guild_id: message.guildId,
    ...(message.webhookId ? {} : { member: memberPayload(message.author) }),
  };
}
