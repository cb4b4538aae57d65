import type { WebClient } from "@slack/web-api";
import type { ChannelPacer } from "../../src/chat/channel-pacer.ts";
import { createEditCoalescer } from "../../src/chat/edit-coalescer.ts";
import type { ThreadRef } from "../../src/chat/thread.ts";
import type { StatusView, ThreadPoster } from "../../src/chat/thread-poster.ts";
import {
  answerBlocks,
  approvalBlocks,
  approvalOutcomeText,
  type Block,
  checkpointBlocks,
  commandBlocks,
  errorBlocks,
  noticeBlocks,
  restoredBlocks,
  restoredText,
  sectionTextLimit,
  statusBlocks,
} from "./slack-blocks.ts";

/**
 * Speaks in a Slack thread through the Web API. Agent-written text never unfurls links (a link
 * could carry data out of the sandbox into a preview fetch). The client retries 429s itself.
 */
export function createSlackPoster(client: WebClient, pacer: ChannelPacer): ThreadPoster {
  async function post(thread: ThreadRef, text: string, blocks: Block[]): Promise<string> {
    const response = await pacer.schedule(thread.channel, () =>
      client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.thread,
        text,
        blocks,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return String(response.ts);
  }

  async function update(thread: ThreadRef, ts: string, text: string, blocks: Block[]): Promise<void> {
    await client.chat.update({ channel: thread.channel, ts, text, blocks });
  }

  // A busy turn edits its status often: one edit in flight per message, the latest text wins.
  const statusEdits = createEditCoalescer<{ thread: ThreadRef; status: StatusView }>(
    (ts, { thread, status }) => update(thread, ts, status.text, statusBlocks(status)),
  );

  return {
    postStatus: (thread, status) => post(thread, status.text, statusBlocks(status)),
    updateStatus: (thread, ref, status) => statusEdits.edit(ref, { thread, status }),

    async postCommand(thread, report) {
      const ts = await post(thread, `$ ${report.command}`, commandBlocks(report));
      if (report.output.length > sectionTextLimit - 100) {
        await pacer.schedule(thread.channel, () =>
          client.filesUploadV2({
            channel_id: thread.channel,
            thread_ts: thread.thread,
            filename: "output.txt",
            title: `Output of ${report.command.slice(0, 80)}`,
            content: report.output,
          }),
        );
      }
      return ts;
    },

    postCheckpoint: (thread, notice) =>
      post(thread, `Checkpoint saved before ${notice.label}`, checkpointBlocks(notice)),

    markRestored: (thread, ref, outcome) =>
      update(thread, ref, restoredText(outcome), restoredBlocks(outcome)),

    postAnswer: (thread, markdown) => post(thread, markdown.slice(0, 3000), answerBlocks(markdown)),

    postError: (thread, text) => post(thread, text, errorBlocks(text)),

    postNotice: (thread, text) => post(thread, text, noticeBlocks(text)),
    postApproval: (thread, request) =>
      post(thread, `Approval needed: ${request.command}`, approvalBlocks(request)),
    markApproval: (thread, ref, outcome) => {
      const text = approvalOutcomeText(outcome);
      return update(thread, ref, text, noticeBlocks(text));
    },

    async postPrivate(thread, userId, text) {
      await client.chat.postEphemeral({
        channel: thread.channel,
        thread_ts: thread.thread,
        user: userId,
        text,
      });
    },
  };
}
