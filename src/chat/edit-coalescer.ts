/**
 * At most one edit in flight per message, latest text wins. A busy turn updates its status
 * often; when Discord is slow or rate-limits the edit (the REST client then waits out the
 * 429), later texts replace each other instead of queueing up behind it, and only the newest
 * is sent. A caller whose text waits behind an edit in flight returns at once: its text (or a
 * newer one) follows, and a failure of that later send goes to `onLateError`.
 */
export interface EditCoalescer<T> {
  edit(key: string, value: T): Promise<void>;
  /** Resolves when nothing is in flight or waiting for the key (for tests and shutdown). */
  settled(key: string): Promise<void>;
}

interface Slot<T> {
  waiting: { value: T } | undefined;
  done: Promise<void>;
}

export function createEditCoalescer<T>(
  send: (key: string, value: T) => Promise<void>,
  onLateError: (key: string, error: unknown) => void = () => {},
): EditCoalescer<T> {
  const slots = new Map<string, Slot<T>>();

  async function sendWaiting(key: string, slot: Slot<T>): Promise<void> {
    while (slot.waiting) {
      const { value } = slot.waiting;
      slot.waiting = undefined;
      await send(key, value).catch((error: unknown) => onLateError(key, error));
    }
    slots.delete(key);
  }

  return {
    edit(key, value) {
      const busy = slots.get(key);
      if (busy) {
        busy.waiting = { value };
        return Promise.resolve();
      }
      const first = send(key, value);
      const slot: Slot<T> = { waiting: undefined, done: Promise.resolve() };
      slot.done = first.catch(() => {}).then(() => sendWaiting(key, slot));
      slots.set(key, slot);
      return first;
    },
    async settled(key) {
      for (let slot = slots.get(key); slot; slot = slots.get(key)) await slot.done;
    },
  };
}
