import { codeBlock, inlineCode } from "../../src/chat/text-limits.ts";
import type {
  ApprovalOutcome,
  ApprovalRequest,
  CheckpointNotice,
  CommandReport,
  RestoreOutcome,
  StatusView,
} from "../../src/chat/thread-poster.ts";

/**
 * Block Kit rendering, kept within Slack's limits: 50 blocks a message, 3,000 characters a
 * section text. Output longer than one section is trimmed to its head and tail here; the poster
 * uploads the whole of it as a file.
 */

export const actionIds = {
  restore: "restore_checkpoint",
  approve: "approve_command",
  deny: "deny_command",
  stop: "stop_turn",
  end: "end_session",
  continue: "continue_session",
} as const;
export const restoreActionId = actionIds.restore;
export const sectionTextLimit = 3000;
const maxBlocks = 50;

export type Block = { type: string } & Record<string, unknown>;

const section = (text: string): Block => ({ type: "section", text: { type: "mrkdwn", text } });
const context = (text: string): Block => ({ type: "context", elements: [{ type: "mrkdwn", text }] });

const button = (actionId: string, text: string, value: string, style?: "primary" | "danger"): Block => ({
  type: "button",
  action_id: actionId,
  text: { type: "plain_text", text },
  value,
  ...(style ? { style } : {}),
});

export function statusBlocks(status: StatusView): Block[] {
  const blocks = [context(`:hourglass_flowing_sand: ${escapeMrkdwn(status.text)}`)];
  const buttons = [
    ...(status.stopId ? [button(actionIds.stop, "Stop", status.stopId, "danger")] : []),
    ...(status.endSessionId ? [button(actionIds.end, "End session", status.endSessionId)] : []),
    ...(status.continueId ? [button(actionIds.continue, "Continue", status.continueId, "primary")] : []),
  ];
  if (buttons.length > 0) blocks.push({ type: "actions", block_id: "status", elements: buttons });
  return blocks;
}

export function approvalBlocks(request: ApprovalRequest): Block[] {
  const accounts = request.accounts.join(", ");
  return [
    section(
      `:key: <@${request.ownerId}>, this ${request.risk} command wants to run with your ${accounts} account:\n` +
        `\`${inlineCode(request.command, 1500)}\`\nOnly you can approve it; nothing runs until you do.`,
    ),
    {
      type: "actions",
      block_id: "approval",
      elements: [
        button(actionIds.approve, "Approve", request.approvalId, "primary"),
        button(actionIds.deny, "Deny", request.approvalId, "danger"),
      ],
    },
  ];
}

export function approvalOutcomeText(outcome: ApprovalOutcome): string {
  const command = `\`${inlineCode(outcome.command, 500)}\``;
  if (outcome.decision === "expired") return `Expired without a decision: ${command}`;
  return `${outcome.decision === "approved" ? "Approved" : "Denied"} by <@${outcome.by}>: ${command}`;
}

export function noticeBlocks(text: string): Block[] {
  return [context(text)];
}

export function commandBlocks(report: CommandReport): Block[] {
  const outcome = report.timedOut
    ? ":alarm_clock: killed at its timeout"
    : report.exitCode === 0
      ? ":white_check_mark: exit 0"
      : `:x: exit ${report.exitCode ?? "(signal)"}`;
  const heading = `\`$ ${inlineCode(report.command, 500)}\`\n${outcome} · ${formatDuration(report.durationMs)} · ${report.risk}`;
  const blocks = [section(heading)];
  if (report.output.trim()) blocks.push(section(codeBlock(report.output, sectionTextLimit - 100)));
  return blocks;
}

export function checkpointBlocks(notice: CheckpointNotice): Block[] {
  return [
    section(`:floppy_disk: Checkpoint saved before \`${inlineCode(notice.label, 500)}\`.`),
    {
      type: "actions",
      block_id: "checkpoint",
      elements: [
        {
          type: "button",
          action_id: restoreActionId,
          text: { type: "plain_text", text: "Restore" },
          value: notice.restoreId,
          confirm: {
            title: { type: "plain_text", text: "Restore the sandbox?" },
            text: {
              type: "mrkdwn",
              text: "Everything changed in the sandbox after this checkpoint is lost.",
            },
            confirm: { type: "plain_text", text: "Restore" },
            deny: { type: "plain_text", text: "Cancel" },
          },
        },
      ],
    },
  ];
}

export function restoredText(outcome: RestoreOutcome): string {
  return `Restored to before \`${inlineCode(outcome.label, 500)}\` by <@${outcome.restoredBy}> in ${outcome.durationMs} ms`;
}

export function restoredBlocks(outcome: RestoreOutcome): Block[] {
  return [section(`:rewind: ${restoredText(outcome)}`)];
}

/** Long answers become several sections, never more than Slack accepts. */
export function answerBlocks(markdown: string): Block[] {
  const text = toMrkdwn(markdown);
  const blocks: Block[] = [];
  for (let start = 0; start < text.length && blocks.length < maxBlocks; start += sectionTextLimit) {
    blocks.push(section(text.slice(start, start + sectionTextLimit)));
  }
  return blocks;
}

export function errorBlocks(text: string): Block[] {
  return [section(`:warning: ${text}`)];
}

/** Slack's mrkdwn: `*bold*`, `<url|text>`; the model writes CommonMark. */
export function toMrkdwn(markdown: string): string {
  return markdown
    .replace(/\*\*(.+?)\*\*/g, "*$1*")
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, "<$2|$1>")
    .replace(/^#{1,6}\s+(.*)$/gm, "*$1*");
}

function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
