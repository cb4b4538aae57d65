import { clip, codeBlock, inlineCode } from "../../src/chat/text-limits.ts";
import type {
  ApprovalOutcome,
  ApprovalRequest,
  CheckpointNotice,
  CommandReport,
  RestoreOutcome,
  StatusView,
} from "../../src/chat/thread-poster.ts";
import { type ButtonSpec, buttonRows } from "./discord-components.ts";

/**
 * What each core event looks like in a Discord thread, within its limits: 2,000 characters of
 * content a message. Output too long for one message is cut to its head and tail here and goes
 * up whole as an attached file; a long answer becomes a few messages, then a file.
 */

export const contentLimit = 2000;
/** More messages than this for one answer would bury the thread; the rest goes in a file. */
export const maxAnswerMessages = 4;

export interface RenderedFile {
  name: string;
  data: Buffer;
  contentType: string;
}

export interface RenderedMessage {
  content: string;
  components?: ReturnType<typeof buttonRows>;
  file?: RenderedFile;
}

export function statusMessage(status: StatusView): RenderedMessage {
  const buttons: ButtonSpec[] = [
    ...(status.stopId
      ? [{ kind: "stop" as const, value: status.stopId, label: "Stop", style: "danger" as const }]
      : []),
    ...(status.endSessionId
      ? [{ kind: "end" as const, value: status.endSessionId, label: "End session" }]
      : []),
    ...(status.continueId
      ? [
          {
            kind: "continue" as const,
            value: status.continueId,
            label: "Continue",
            style: "primary" as const,
          },
        ]
      : []),
  ];
  // An empty list removes the buttons once they no longer apply.
  return { content: clip(`⏳ ${status.text}`, contentLimit), components: buttonRows(buttons) };
}

export function approvalMessage(request: ApprovalRequest): RenderedMessage {
  return {
    content: clip(
      `🔑 <@${request.ownerId}>, this ${request.risk} command wants to run with your ${request.accounts.join(", ")} account:\n` +
        `\`${inlineCode(request.command, 1500)}\`\nOnly you can approve it; nothing runs until you do.`,
      contentLimit,
    ),
    components: buttonRows([
      { kind: "approve", value: request.approvalId, label: "Approve", style: "success" },
      { kind: "deny", value: request.approvalId, label: "Deny", style: "danger" },
    ]),
  };
}

export function approvalOutcomeContent(outcome: ApprovalOutcome): string {
  const command = `\`${inlineCode(outcome.command, 500)}\``;
  if (outcome.decision === "expired") return `Expired without a decision: ${command}`;
  return `${outcome.decision === "approved" ? "Approved" : "Denied"} by <@${outcome.by}>: ${command}`;
}

export function noticeContent(text: string): string {
  return clip(text, contentLimit);
}

export function commandMessage(report: CommandReport): RenderedMessage {
  const outcome = report.timedOut
    ? "⏰ killed at its timeout"
    : report.exitCode === 0
      ? "✅ exit 0"
      : `❌ exit ${report.exitCode ?? "(signal)"}`;
  const heading = `\`$ ${inlineCode(report.command, 500)}\`\n${outcome} · ${formatDuration(report.durationMs)} · ${report.risk}`;
  if (!report.output.trim()) return { content: heading };
  const room = contentLimit - heading.length - 1;
  const block = codeBlock(report.output, room);
  const cut = report.output.length > room - 8;
  return {
    content: `${heading}\n${block}`,
    ...(cut
      ? { file: { name: "output.txt", data: Buffer.from(report.output), contentType: "text/plain" } }
      : {}),
  };
}

export function checkpointMessage(notice: CheckpointNotice): RenderedMessage {
  return {
    content: `💾 Checkpoint saved before \`${inlineCode(notice.label, 500)}\`.`,
    components: buttonRows([{ kind: "restore", value: notice.restoreId, label: "Restore", style: "danger" }]),
  };
}

export function restoredContent(outcome: RestoreOutcome): string {
  return `Restored to before \`${inlineCode(outcome.label, 500)}\` by <@${outcome.restoredBy}> in ${outcome.durationMs} ms`;
}

export function errorContent(text: string): string {
  return clip(`⚠️ ${text}`, contentLimit);
}

/** Discord renders CommonMark-like markdown itself; only its size needs handling. */
export function answerMessages(markdown: string): RenderedMessage[] {
  const chunks = splitMarkdown(markdown, contentLimit);
  if (chunks.length <= maxAnswerMessages) return chunks.map((content) => ({ content }));
  const note = "\n… the whole answer is attached as answer.md.";
  return [
    {
      content: `${clip(chunks[0] ?? "", contentLimit - note.length)}${note}`,
      file: { name: "answer.md", data: Buffer.from(markdown), contentType: "text/markdown" },
    },
  ];
}

/**
 * Splits at line ends where it can, and closes and reopens a code fence that a split falls
 * inside, so every message renders on its own.
 */
export function splitMarkdown(markdown: string, limit: number): string[] {
  const fence = "```";
  const chunks: string[] = [];
  let current = "";
  let openFence: string | undefined;
  const flush = () => {
    if (!current) return;
    chunks.push(openFence !== undefined ? `${current}\n${fence}` : current);
    current = openFence !== undefined ? `${openFence}\n` : "";
  };
  const room = () => limit - current.length - (openFence !== undefined ? fence.length + 1 : 0);
  for (const line of markdown.split("\n")) {
    let rest = current ? `\n${line}` : line;
    if (current && rest.length > room()) {
      flush();
      rest = line;
    }
    while (rest.length > room()) {
      const take = Math.max(1, room());
      current += rest.slice(0, take);
      rest = rest.slice(take);
      flush();
    }
    current += rest;
    if (line.trimStart().startsWith(fence)) openFence = openFence === undefined ? line.trim() : undefined;
  }
  if (current && current !== `${openFence}\n`)
    chunks.push(openFence !== undefined ? `${current}\n${fence}` : current);
  return chunks;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
