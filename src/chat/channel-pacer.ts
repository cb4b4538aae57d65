/**
 * Keeps posts to one channel within a platform's rate (Slack: about one message a second per
 * channel, short bursts allowed) by queueing them, so the bot slows down instead of collecting
 * 429s. A token bucket per channel: `burst` posts at once, then `perSecond`.
 */
export interface ChannelPacer {
  schedule<T>(channel: string, post: () => Promise<T>): Promise<T>;
}

export function createChannelPacer(options: { perSecond: number; burst: number }): ChannelPacer {
  const intervalMs = 1000 / options.perSecond;
  const buckets = new Map<string, { tokens: number; updatedAt: number; tail: Promise<unknown> }>();

  async function takeToken(channel: string): Promise<void> {
    const bucket = buckets.get(channel);
    if (!bucket) throw new Error("unreachable: bucket is created before scheduling");
    for (;;) {
      const now = Date.now();
      bucket.tokens = Math.min(options.burst, bucket.tokens + (now - bucket.updatedAt) / intervalMs);
      bucket.updatedAt = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, (1 - bucket.tokens) * intervalMs));
    }
  }

  return {
    schedule(channel, post) {
      let bucket = buckets.get(channel);
      if (!bucket) {
        bucket = { tokens: options.burst, updatedAt: Date.now(), tail: Promise.resolve() };
        buckets.set(channel, bucket);
      }
      // Posts keep their order: each waits for the one before it to take its token.
      const turn = bucket.tail.then(() => takeToken(channel));
      bucket.tail = turn.catch(() => {});
      return turn.then(post);
    },
  };
}
