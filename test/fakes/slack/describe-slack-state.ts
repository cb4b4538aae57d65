import type { SlackApiCall, UnexpectedSlackCall } from "./fake-slack-web-api.ts";
import type { SlackMessageStore } from "./slack-message-store.ts";

/** Renders what the fake Slack has seen, for waitFor timeouts: the answer to "what did the bot do instead?" */

const MAX_TEXT = 120;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT)}…` : flat;
}

function describeArgs(args: Record<string, unknown>): string {
  return Object.entries(args)
    .map(([key, value]) => {
      const shown =
        typeof value === "string" ? JSON.stringify(clip(value)) : clip(JSON.stringify(value) ?? "");
      return `${key}=${shown}`;
    })
    .join(" ");
}

export function describeSlackState(
  calls: readonly SlackApiCall[],
  store: SlackMessageStore,
  unexpected: readonly UnexpectedSlackCall[],
): string {
  const lines: string[] = [`calls (${calls.length}):`];
  calls.forEach((call, index) => {
    const outcome = call.response.ok ? "ok" : `error=${String(call.response.error)}`;
    lines.push(`  #${index + 1} ${call.method} ${describeArgs(call.args)} -> ${call.status} ${outcome}`);
  });
  for (const channel of store.channels()) {
    lines.push(`channel ${channel}:`);
    for (const message of store.messages(channel)) {
      const thread =
        message.thread_ts && message.thread_ts !== message.ts ? ` (in thread ${message.thread_ts})` : "";
      const blocks = message.blocks ? ` [${message.blocks.length} blocks]` : "";
      const edits = message.history.length > 0 ? ` (edited ${message.history.length}x)` : "";
      const files = message.files ? ` [${message.files.length} files]` : "";
      const author = message.bot_id ? "bot" : (message.user ?? "?");
      lines.push(
        `  ${message.ts}${thread} ${author}: ${JSON.stringify(clip(message.text))}${blocks}${files}${edits}`,
      );
    }
    for (const ephemeral of store.ephemerals(channel)) {
      lines.push(
        `  ephemeral ${ephemeral.message_ts} to ${ephemeral.user}: ${JSON.stringify(clip(ephemeral.text))}`,
      );
    }
  }
  if (unexpected.length > 0) {
    lines.push(`unexpected (${unexpected.length}):`);
    for (const call of unexpected) lines.push(`  ${call.reason} ${call.path}`);
  }
  return lines.join("\n");
}
