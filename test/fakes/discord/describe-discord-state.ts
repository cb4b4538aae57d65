import type { FakeDiscord } from "./fake-discord.ts";

/** What the fake Discord has seen, for waitFor timeouts: the answer to "what did the bot do instead?" */

const clip = (text: string, max = 120) => {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

export function describeDiscordState(fake: FakeDiscord): string {
  const lines = [`REST calls (${fake.calls.length}):`];
  fake.calls.forEach((call, index) => {
    lines.push(
      `  #${index + 1} ${call.method} ${call.path} -> ${call.status} ${clip(JSON.stringify(call.body ?? {}), 160)}`,
    );
  });
  const channels = [fake.channelId, ...fake.threads().map((thread) => thread.id)];
  for (const channelId of channels) {
    lines.push(`channel ${channelId}${channelId === fake.channelId ? " (text)" : " (thread)"}:`);
    for (const message of fake.messages(channelId)) {
      const author = message.author.bot ? "bot" : message.author.username;
      const edits = message.history.length > 0 ? ` (edited ${message.history.length}x)` : "";
      const buttons = message.components.length > 0 ? ` [${message.components.length} rows]` : "";
      const files =
        message.attachments.length > 0
          ? ` [${message.attachments.map((file) => file.filename).join(", ")}]`
          : "";
      lines.push(
        `  ${message.id} ${author}: ${JSON.stringify(clip(message.content))}${buttons}${files}${edits}`,
      );
    }
  }
  lines.push(
    `gateway connections: ${fake.gateway.connections.map((connection) => `${connection.url} ops=${connection.received.map((frame) => frame.op).join(",")}${connection.closeCode ? ` closed ${connection.closeCode}` : ""}`).join(" | ")}`,
  );
  if (fake.unexpectedCalls.length > 0) {
    lines.push(`unexpected (${fake.unexpectedCalls.length}):`);
    for (const call of fake.unexpectedCalls) lines.push(`  ${call.method} ${call.path}: ${call.reason}`);
  }
  return lines.join("\n");
}
