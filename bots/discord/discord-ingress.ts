import {
  type AnyThreadChannel,
  type Client,
  Events,
  type Interaction,
  type Message,
  Routes,
} from "discord.js";
import type { InboundMessage, ThreadRef } from "../../src/chat/thread.ts";
import type { TurnQueue } from "../../src/chat/turn-queue.ts";
import { isAccountCommand } from "../../src/session/account-commands.ts";
import { createDiscordClient } from "./discord-client.ts";
import { applicationCommands, investigateCommand } from "./discord-commands.ts";
import {
  messageIdOf,
  startThreadFrom,
  threadNameFor,
  threadRefOf,
  withoutBotMention,
} from "./discord-inbound.ts";
import { handleButton, handleInvestigate } from "./discord-interactions.ts";

export interface DiscordIngressOptions {
  token: string;
  apiUrl?: string | undefined;
  /** Defaults to the application id the gateway's READY names. */
  applicationId?: string | undefined;
  queue: TurnQueue;
  logger: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

export interface DiscordIngress {
  client: Client;
  stop(): Promise<void>;
}

/**
 * Turns gateway events into queued work. The gateway connection is authenticated by the bot
 * token; discord.js keeps it up (heartbeats, RESUME after a drop, replaying what was missed).
 * Handlers only enqueue; a replayed event maps to the same message id, so to the same job.
 */
export async function startDiscordIngress(options: DiscordIngressOptions): Promise<DiscordIngress> {
  const { queue, logger } = options;
  const client = createDiscordClient({ token: options.token, apiUrl: options.apiUrl });
  const failed = (what: string) => (error: unknown) => logger.error({ err: error }, `discord ${what} failed`);

  client.on(Events.MessageCreate, (message) => void onMessage(message).catch(failed("message handling")));
  client.on(
    Events.InteractionCreate,
    (interaction) => void onInteraction(interaction).catch(failed("interaction")),
  );
  // A deleted thread ends its session, and an ephemeral sandbox goes with it.
  client.on(Events.ThreadDelete, (deleted) => void onThreadDelete(deleted).catch(failed("thread delete")));
  client.on(Events.Error, failed("client"));
  client.on(Events.ShardResume, (shardId, replayed) =>
    logger.info({ shardId, replayed }, "discord gateway resumed"),
  );

  async function onThreadDelete(deleted: AnyThreadChannel): Promise<void> {
    const thread = threadRefOf(deleted.guildId, deleted.parentId ?? deleted.id, deleted.id);
    if (!(await queue.hasSession(thread))) return;
    await queue.enqueueAction({
      actionId: `discord:thread-deleted:${deleted.id}`,
      kind: "thread_deleted",
      value: deleted.id,
      thread,
      user: { id: "discord" },
      messageRef: deleted.id,
    });
  }

  async function onMessage(message: Message): Promise<void> {
    // Bots (ours included) and webhooks never start or steer a session; nor do system messages.
    if (message.author.bot || message.webhookId || message.system || !message.inGuild()) return;
    const botUserId = client.user?.id;
    if (!botUserId) return;
    const mentioned = message.mentions.users.has(botUserId);
    const channel = message.channel;
    let thread: ThreadRef;
    if (channel.isThread()) {
      thread = threadRefOf(message.guildId, channel.parentId ?? channel.id, channel.id);
      if (!mentioned && !(await queue.hasSession(thread))) return;
    } else if (mentioned && isAccountCommand(withoutBotMention(message.content, botUserId))) {
      // `connect github` in a channel answers by DM; the channel itself stands for the thread.
      thread = threadRefOf(message.guildId, channel.id, channel.id);
    } else {
      if (!mentioned) return;
      const threadId = await startThreadFrom(
        client.rest,
        channel.id,
        message.id,
        threadNameFor(message.content),
      );
      thread = threadRefOf(message.guildId, channel.id, threadId);
    }
    const inbound: InboundMessage = {
      messageId: messageIdOf(message.id),
      thread,
      user: { id: message.author.id, name: message.member?.displayName ?? message.author.username },
      text: withoutBotMention(message.content, botUserId),
      mentioned,
      receivedAt: new Date().toISOString(),
    };
    await queue.enqueueMessage(inbound);
  }

  async function onInteraction(interaction: Interaction): Promise<void> {
    const deps = { client, queue, logger };
    if (interaction.isButton()) return handleButton(deps, interaction);
    if (interaction.isChatInputCommand() && interaction.commandName === investigateCommand) {
      return handleInvestigate(deps, interaction);
    }
  }

  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(options.token);
  const readyClient = await ready;
  const applicationId = options.applicationId ?? readyClient.application.id;
  await client.rest
    .put(Routes.applicationCommands(applicationId), { body: applicationCommands })
    .then(() =>
      logger.info({ applicationId, commands: applicationCommands.length }, "discord commands registered"),
    )
    .catch((error: unknown) =>
      logger.warn({ err: error }, "could not register the slash commands; mentions still work"),
    );
  logger.info({ user: readyClient.user.tag, applicationId }, "discord ingress connected");
  return {
    client,
    async stop() {
      await client.destroy();
    },
  };
}
