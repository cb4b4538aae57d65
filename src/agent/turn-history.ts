import type { InboundMessage } from "../chat/thread.ts";
import type { ModelMessage, ToolCall } from "../model/language-model.ts";
import type { SessionInbox, SessionRecord } from "../session/session-store.ts";

/** Tool calls of the last assistant message that have no result yet, in order. */
export function unansweredToolCalls(history: ModelMessage[]): ToolCall[] {
  const lastAssistant = history.findLastIndex((message) => message.role === "assistant");
  const assistant = history[lastAssistant];
  if (assistant?.role !== "assistant" || !assistant.toolCalls?.length) return [];
  const answered = new Set(
    history
      .slice(lastAssistant + 1)
      .flatMap((message) => (message.role === "tool" ? [message.toolCallId] : [])),
  );
  return assistant.toolCalls.filter((call) => !answered.has(call.id));
}

/**
 * Moves what users said (and notes such as "restored") into the history. The author of the
 * latest message becomes the turn's requester: credentialed commands run as them.
 */
export async function readInbox(inbox: SessionInbox, session: SessionRecord): Promise<number> {
  const notes = await inbox.takeNotes(session.key);
  const messages = await inbox.take(session.key);
  for (const note of notes) session.history.push(systemNote(note));
  for (const message of messages) session.history.push(userMessage(message));
  const latest = messages.at(-1);
  if (latest && session.activeTurn) session.activeTurn.requester = latest.user;
  return messages.length;
}

export function systemNote(text: string): ModelMessage {
  return { role: "user", content: `[note from threadhands] ${text}` };
}

function userMessage(message: InboundMessage): ModelMessage {
  const who = message.user.name ? `${message.user.name} (<@${message.user.id}>)` : `<@${message.user.id}>`;
  return { role: "user", content: `${who} wrote: ${message.text}` };
}

/** "running `ls -la`", for the status line and the thread. */
export function describeCall(call: ToolCall): string {
  if (call.name === "run_command") {
    try {
      const { command } = JSON.parse(call.arguments) as { command?: unknown };
      if (typeof command === "string") return `running \`${command.slice(0, 200)}\``;
    } catch {
      // broken arguments are reported to the model by the registry
    }
  }
  return `calling ${call.name}`;
}
