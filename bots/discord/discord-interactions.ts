import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  MessageFlags,
} from "discord.js";
import type { InboundAction, ThreadRef } from "../../src/chat/thread.ts";
import type { TurnQueue } from "../../src/chat/turn-queue.ts";
import { investigateTextOption } from "./discord-commands.ts";
import { parseCustomId } from "./discord-components.ts";
import { commandMessageIdOf, startThreadFrom, threadNameFor, threadRefOf } from "./discord-inbound.ts";

/**
 * Interactions must be answered within 3 s, and their token is a credential: it stays here and
 * never goes into a job. So ingress answers every interaction itself (refusals ephemerally, with
 * flags 64), and the worker edits messages with the bot token afterwards.
 */

export interface InteractionDependencies {
  client: Client;
  queue: TurnQueue;
  logger: { warn(obj: object, msg: string): void };
}

const refusal = "Only people taking part in this session can press its buttons. Nothing was changed.";
const notQueued = "That could not be queued just now; nothing was changed. Please try again.";

export async function handleButton(
  deps: InteractionDependencies,
  interaction: ButtonInteraction,
): Promise<void> {
  const parsed = parseCustomId(interaction.customId);
  const thread = interaction.guildId
    ? threadOfChannel(interaction.guildId, await channelOf(deps.client, interaction), interaction.channelId)
    : undefined;
  if (!parsed || !thread) {
    await interaction.reply({
      content: "This button is not one I know any more.",
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  if (!(await deps.queue.mayAct(thread, interaction.user.id))) {
    await interaction.reply({ content: refusal, flags: MessageFlags.Ephemeral });
    return;
  }
  // Ack first (type 6, deferred update): the worker edits the message when the work is done.
  await interaction.deferUpdate();
  const action: InboundAction = {
    actionId: `discord:interaction:${interaction.id}`,
    kind: parsed.kind,
    value: parsed.value,
    thread,
    user: { id: interaction.user.id, name: interaction.user.username },
    messageRef: interaction.message.id,
  };
  try {
    await deps.queue.enqueueAction(action);
  } catch (error) {
    deps.logger.warn({ err: error, interaction: interaction.id }, "could not enqueue a button action");
    await interaction.followUp({ content: notQueued, flags: MessageFlags.Ephemeral });
  }
}

/**
 * `/investigate <text>`: deferred at once (type 5), then the reply becomes the root of a new
 * thread (or, inside a thread already, the session continues there).
 */
export async function handleInvestigate(
  deps: InteractionDependencies,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  if (!interaction.inGuild()) {
    await interaction.reply({
      content: "Use /investigate in a server channel.",
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  await interaction.deferReply();
  const text = interaction.options.getString(investigateTextOption, true);
  const channel = await channelOf(deps.client, interaction);
  const asked = `<@${interaction.user.id}> asked: ${text}`.slice(0, 2000);
  const reply = await interaction.editReply({ content: asked, allowedMentions: { parse: [] } });
  const thread: ThreadRef = channel?.isThread()
    ? threadOfChannel(interaction.guildId, channel, interaction.channelId)
    : threadRefOf(
        interaction.guildId,
        interaction.channelId,
        await startThreadFrom(deps.client.rest, interaction.channelId, reply.id, threadNameFor(text)),
      );
  try {
    await deps.queue.enqueueMessage({
      messageId: commandMessageIdOf(interaction.id),
      thread,
      user: { id: interaction.user.id, name: interaction.user.username },
      text,
      mentioned: true,
      receivedAt: new Date().toISOString(),
    });
  } catch (error) {
    deps.logger.warn({ err: error, interaction: interaction.id }, "could not enqueue a slash command");
    await interaction.followUp({ content: notQueued, flags: MessageFlags.Ephemeral });
  }
}

type MaybeThread = { isThread(): boolean; parentId?: string | null } | null;

/**
 * The interaction's channel from the cache (filled by GUILD_CREATE and THREAD_CREATE), else
 * fetched: a thread's session key needs its parent, which only the channel object names.
 */
async function channelOf(
  client: Client,
  interaction: { channel: MaybeThread; channelId: string | null },
): Promise<MaybeThread> {
  if (interaction.channel || !interaction.channelId) return interaction.channel;
  return client.channels.fetch(interaction.channelId).catch(() => null);
}

/** A thread's session lives under its parent channel; a plain channel is its own "thread". */
function threadOfChannel(guildId: string, channel: MaybeThread, channelId: string): ThreadRef {
  if (channel?.isThread() && channel.parentId) return threadRefOf(guildId, channel.parentId, channelId);
  return threadRefOf(guildId, channelId, channelId);
}
