/**
 * What a channel would show: messages (with chat.update edits applied and deletions hidden),
 * ephemerals kept apart because only their recipient sees them, and the `ts` clock.
 */

export interface StoredReaction {
  name: string;
  users: string[];
  count: number;
}

export interface MessageVersion {
  text: string;
  blocks: unknown[] | undefined;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
  user: string | undefined;
  bot_id: string | undefined;
  attachments: unknown;
  metadata: unknown;
  files: unknown[] | undefined;
  reactions: StoredReaction[];
  /** Earlier versions replaced by chat.update, oldest first. */
  history: MessageVersion[];
  edited: { user: string; ts: string } | undefined;
  deleted: boolean;
}

export interface StoredEphemeral {
  channel: string;
  message_ts: string;
  /** The only user who sees it. */
  user: string;
  thread_ts: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
}

export type NewMessage = Partial<Omit<StoredMessage, "channel" | "reactions" | "history" | "deleted">>;

export interface SlackMessageStore {
  /** A fresh Slack timestamp: unique and strictly increasing, shaped like "1700000000.000100". */
  nextTs(): string;
  add(channel: string, message: NewMessage): StoredMessage;
  addEphemeral(ephemeral: Omit<StoredEphemeral, "message_ts">): StoredEphemeral;
  find(channel: string, ts: string): StoredMessage | undefined;
  /** Visible (not deleted) messages of a channel in ts order. */
  messages(channel: string): StoredMessage[];
  /** Parent first, then its replies in ts order. */
  thread(channel: string, threadTs: string): StoredMessage[];
  ephemerals(channel: string): StoredEphemeral[];
  channels(): string[];
}

const MICROS_PER_SECOND = 1_000_000n;

export function formatTs(micros: bigint): string {
  const seconds = micros / MICROS_PER_SECOND;
  const fraction = (micros % MICROS_PER_SECOND).toString().padStart(6, "0");
  return `${seconds}.${fraction}`;
}

export function parseTs(ts: string): bigint | undefined {
  const match = /^(\d+)\.(\d{6})$/.exec(ts);
  if (!match) return undefined;
  return BigInt(match[1] ?? "0") * MICROS_PER_SECOND + BigInt(match[2] ?? "0");
}

export function compareTs(a: string, b: string): number {
  const left = parseTs(a) ?? 0n;
  const right = parseTs(b) ?? 0n;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function createSlackMessageStore(): SlackMessageStore {
  const byChannel = new Map<string, StoredMessage[]>();
  const ephemeralsByChannel = new Map<string, StoredEphemeral[]>();
  let lastMicros = 0n;

  // Real ts values track wall-clock time; stepping by 100 µs past the last one keeps them
  // unique even when many posts land in the same microsecond.
  const nextTs = (): string => {
    const now = BigInt(Date.now()) * 1000n;
    lastMicros = now > lastMicros + 100n ? now : lastMicros + 100n;
    return formatTs(lastMicros);
  };

  // A test-seeded ts (e.g. the human mention) must stay older than every later bot reply.
  const observeTs = (ts: string): void => {
    const micros = parseTs(ts);
    if (micros !== undefined && micros > lastMicros) lastMicros = micros;
  };

  const list = <T>(map: Map<string, T[]>, channel: string): T[] => {
    let items = map.get(channel);
    if (!items) {
      items = [];
      map.set(channel, items);
    }
    return items;
  };

  return {
    nextTs,
    add(channel, message) {
      const ts = message.ts ?? nextTs();
      observeTs(ts);
      const stored: StoredMessage = {
        channel,
        ts,
        thread_ts: message.thread_ts,
        text: message.text ?? "",
        blocks: message.blocks,
        user: message.user,
        bot_id: message.bot_id,
        attachments: message.attachments,
        metadata: message.metadata,
        files: message.files,
        reactions: [],
        history: [],
        edited: message.edited,
        deleted: false,
      };
      const items = list(byChannel, channel);
      items.push(stored);
      items.sort((a, b) => compareTs(a.ts, b.ts));
      return stored;
    },
    addEphemeral(ephemeral) {
      const stored: StoredEphemeral = { ...ephemeral, message_ts: nextTs() };
      list(ephemeralsByChannel, ephemeral.channel).push(stored);
      return stored;
    },
    find(channel, ts) {
      return byChannel.get(channel)?.find((message) => message.ts === ts && !message.deleted);
    },
    messages(channel) {
      return (byChannel.get(channel) ?? []).filter((message) => !message.deleted);
    },
    thread(channel, threadTs) {
      return (byChannel.get(channel) ?? []).filter(
        (message) => !message.deleted && (message.ts === threadTs || message.thread_ts === threadTs),
      );
    },
    ephemerals(channel) {
      return [...(ephemeralsByChannel.get(channel) ?? [])];
    },
    channels() {
      return [...new Set([...byChannel.keys(), ...ephemeralsByChannel.keys()])];
    },
  };
}
