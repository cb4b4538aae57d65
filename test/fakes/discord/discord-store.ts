import {
  channelTypes,
  type FakeUser,
  type StoredAttachment,
  type StoredChannel,
  type StoredMessage,
} from "./discord-payloads.ts";
import { createSnowflakes } from "./snowflakes.ts";

/**
 * What the fake Discord holds: one guild with its channels and threads, every message with its
 * edit history, interactions and what was answered to them, and registered commands.
 */

export interface StoredInteraction {
  id: string;
  token: string;
  type: number;
  user: FakeUser;
  channelId: string;
  /** The component's message for a button click. */
  messageId?: string;
  createdAt: number;
  /** Callback bodies received, in order (a second one is refused, as Discord does). */
  callbacks: Array<{ type: number; data: Record<string, unknown> | undefined; at: number }>;
  /** The message that `@original` names: the deferred reply, or the clicked message. */
  originalMessageId?: string;
  /** Ephemeral texts shown only to the clicking user (callback or follow-up with flags 64). */
  ephemerals: string[];
}

export interface DiscordStore {
  nextId(): string;
  readonly guild: { id: string; name: string; ownerId: string };
  channels: Map<string, StoredChannel>;
  messages: Map<string, StoredMessage>;
  interactions: Map<string, StoredInteraction>;
  commands: unknown[];
  addChannel(
    channel: Omit<StoredChannel, "createdAt" | "messageCount" | "guildId"> & { guildId?: string },
  ): StoredChannel;
  addMessage(
    message: Partial<StoredMessage> & Pick<StoredMessage, "channelId" | "author" | "content">,
  ): StoredMessage;
  channelMessages(channelId: string): StoredMessage[];
  attachmentsOf(message: StoredMessage): StoredAttachment[];
}

export function createDiscordStore(guild: { id?: string; name: string; ownerId: string }): DiscordStore {
  const nextId = createSnowflakes();
  const guildRecord = { id: guild.id ?? nextId(), name: guild.name, ownerId: guild.ownerId };
  const channels = new Map<string, StoredChannel>();
  const messages = new Map<string, StoredMessage>();
  return {
    nextId,
    guild: guildRecord,
    channels,
    messages,
    interactions: new Map(),
    commands: [],
    addChannel(channel) {
      const stored: StoredChannel = {
        guildId: guildRecord.id,
        createdAt: new Date().toISOString(),
        messageCount: 0,
        ...channel,
      };
      channels.set(stored.id, stored);
      return stored;
    },
    addMessage(message) {
      const channel = channels.get(message.channelId);
      const inThread = channel?.type === channelTypes.publicThread;
      if (channel) channel.messageCount += 1;
      const stored: StoredMessage = {
        id: message.id ?? nextId(),
        guildId: guildRecord.id,
        components: [],
        embeds: [],
        attachments: [],
        flags: 0,
        mentions: [],
        editedAt: undefined,
        history: [],
        ...(inThread && channel ? { position: channel.messageCount - 1 } : {}),
        ...message,
      };
      messages.set(stored.id, stored);
      return stored;
    },
    channelMessages(channelId) {
      return [...messages.values()].filter((message) => message.channelId === channelId);
    },
    attachmentsOf: (message) => message.attachments,
  };
}
