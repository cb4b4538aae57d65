/** Where a conversation lives. `thread` is the platform's id of the thread's root message. */
export interface ThreadRef {
  platform: "slack" | "discord";
  /** Slack team id, Discord guild id. */
  workspace: string;
  channel: string;
  thread: string;
}

export interface ChatUser {
  id: string;
  name?: string;
}

/** A chat message normalised by an ingress adapter. It carries references only, never a secret. */
export interface InboundMessage {
  /** Stable id of the platform message; the turn job id is derived from it so replays dedupe. */
  messageId: string;
  thread: ThreadRef;
  user: ChatUser;
  text: string;
  /** True when the bot was mentioned: a mention starts a session, a plain reply only continues one. */
  mentioned: boolean;
  receivedAt: string;
}

/** Button clicks, plus `thread_deleted`: the platform removed the thread (its signed event). */
export const inboundActionKinds = [
  "restore",
  "approve",
  "deny",
  "stop",
  "end",
  "continue",
  "thread_deleted",
] as const;
export type InboundActionKind = (typeof inboundActionKinds)[number];

/** A button click, normalised by an ingress adapter. */
export interface InboundAction {
  actionId: string;
  kind: InboundActionKind;
  /** Opaque id the button carries; the worker checks it against the session. */
  value: string;
  thread: ThreadRef;
  user: ChatUser;
  /** Id of the message that holds the button, so the worker can edit it. */
  messageRef: string;
}

/** A stable, printable key for a thread: used for Redis keys, leases and sandbox names. */
export function threadKey(thread: ThreadRef): string {
  return [thread.platform, thread.workspace, thread.channel, thread.thread].join(":");
}
