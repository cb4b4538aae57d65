import { type APIMessage, MessageFlags, type RawFile, type REST, Routes } from "discord.js";
import { createEditCoalescer } from "../../src/chat/edit-coalescer.ts";
import type { ThreadRef } from "../../src/chat/thread.ts";
import type { ThreadPoster } from "../../src/chat/thread-poster.ts";
import {
  answerMessages,
  approvalMessage,
  approvalOutcomeContent,
  checkpointMessage,
  commandMessage,
  errorContent,
  noticeContent,
  type RenderedMessage,
  restoredContent,
  statusMessage,
} from "./discord-render.ts";

export interface DiscordPosterOptions {
  /** A REST client with the bot token set; it waits out 429s itself (@discordjs/rest). */
  rest: REST;
  logger?: { warn(obj: object, msg: string): void };
}

/**
 * Speaks in a Discord thread (a thread is a channel: `thread.thread` is its id) through REST.
 * Agent-written text pings nobody (`allowed_mentions` empty) and never embeds link previews (a
 * link could carry data out of the sandbox into a preview fetch).
 */
export function createDiscordPoster(options: DiscordPosterOptions): ThreadPoster {
  const { rest } = options;
  const quiet = { allowed_mentions: { parse: [] }, flags: MessageFlags.SuppressEmbeds };

  function body(message: RenderedMessage): { body: Record<string, unknown>; files?: RawFile[] } {
    const base = {
      ...quiet,
      content: message.content,
      ...(message.components ? { components: message.components } : {}),
    };
    if (!message.file) return { body: base };
    const { name, data, contentType } = message.file;
    return {
      body: { ...base, attachments: [{ id: 0, filename: name }] },
      files: [{ name, data, contentType }],
    };
  }

  async function post(thread: ThreadRef, message: RenderedMessage, signal?: AbortSignal): Promise<string> {
    const sent = (await rest.post(Routes.channelMessages(thread.thread), {
      ...body(message),
      signal,
    })) as APIMessage;
    return sent.id;
  }

  async function edit(thread: ThreadRef, id: string, changes: Record<string, unknown>, signal?: AbortSignal) {
    await rest.patch(Routes.channelMessage(thread.thread, id), { body: changes, signal });
  }

  // Keyed by channel and message; the thread travels with the value so the send knows the route.
  const statusEdits = createEditCoalescer<{ thread: ThreadRef; id: string; message: RenderedMessage }>(
    (_key, { thread, id, message }) =>
      edit(thread, id, {
        content: message.content,
        components: message.components ?? [],
        allowed_mentions: { parse: [] },
      }),
    (key, error) => options.logger?.warn({ err: error, message: key }, "a coalesced status edit failed"),
  );

  /** A DM channel per user, opened once: the only private way to reach someone from a worker. */
  const directChannels = new Map<string, Promise<string>>();
  function directChannelOf(userId: string): Promise<string> {
    let channel = directChannels.get(userId);
    if (!channel) {
      channel = (
        rest.post(Routes.userChannels(), { body: { recipient_id: userId } }) as Promise<{ id: string }>
      ).then((dm) => dm.id);
      channel.catch(() => directChannels.delete(userId));
      directChannels.set(userId, channel);
    }
    return channel;
  }

  return {
    postStatus: (thread, status, signal) => post(thread, statusMessage(status), signal),

    updateStatus: (thread, ref, status) =>
      // No signal: a later text may ride on this send, so one turn's abort must not cancel it.
      statusEdits.edit(`${thread.thread}/${ref}`, { thread, id: ref, message: statusMessage(status) }),

    postCommand: (thread, report, signal) => post(thread, commandMessage(report), signal),

    postCheckpoint: (thread, notice, signal) => post(thread, checkpointMessage(notice), signal),

    // An empty components list removes the Restore button: a checkpoint restores once.
    markRestored: (thread, ref, outcome, signal) =>
      edit(
        thread,
        ref,
        { content: restoredContent(outcome), components: [], allowed_mentions: { parse: [] } },
        signal,
      ),

    async postAnswer(thread, markdown, signal) {
      const [first, ...rest] = answerMessages(markdown);
      const id = await post(thread, first ?? { content: "(empty answer)" }, signal);
      for (const message of rest) await post(thread, message, signal);
      return id;
    },

    postError: (thread, text, signal) => post(thread, { content: errorContent(text) }, signal),

    postNotice: (thread, text, signal) => post(thread, { content: noticeContent(text) }, signal),

    postApproval: (thread, request, signal) => post(thread, approvalMessage(request), signal),

    markApproval: (thread, ref, outcome, signal) =>
      edit(
        thread,
        ref,
        { content: approvalOutcomeContent(outcome), components: [], allowed_mentions: { parse: [] } },
        signal,
      ),

    /**
     * Discord has no ephemeral message outside an interaction response, and the interaction
     * token is a credential that never goes into a job; so a worker's private word is a DM. It
     * may carry a sign-in link, which must never land in the thread.
     */
    async postPrivate(_thread, userId, text, signal) {
      const channel = await directChannelOf(userId);
      await rest.post(Routes.channelMessages(channel), {
        body: { ...quiet, content: noticeContent(text) },
        signal,
      });
    },
  };
}
