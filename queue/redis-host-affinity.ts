import type { Redis } from "ioredis";

/**
 * Which worker host holds a local sandbox. A local sandbox lives on one machine, so every turn,
 * click and timer of its thread must run there. Hosts send heartbeats; a thread whose host stopped
 * beating is taken over by the asking host (its sandbox is gone with that host).
 */
export interface HostAffinity {
  readonly hostId: string;
  /** The host holding `sandboxKey`, claiming it for this host when none (alive) does. */
  ownerOf(sandboxKey: string): Promise<{ owner: string; tookOverFrom?: string }>;
  close(): void;
}

// One hash tag for the map and the heartbeats, so the script's keys share a Cluster slot.
const claimOrRead = `
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner and (owner == ARGV[2] or redis.call('EXISTS', ARGV[3] .. owner) == 1) then return {owner, false} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {ARGV[2], owner or false}`;

export function createRedisHostAffinity(
  redis: Redis,
  options: { prefix: string; hostId: string; heartbeatMs?: number },
): HostAffinity {
  const tag = `{${options.prefix}:hosts}`;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const beat = () =>
    redis.set(`${tag}:alive:${options.hostId}`, String(Date.now()), "PX", heartbeatMs * 3).catch(() => {});
  void beat();
  const timer = setInterval(beat, heartbeatMs);
  timer.unref();
  return {
    hostId: options.hostId,
    async ownerOf(sandboxKey) {
      const [owner, previous] = (await redis.eval(
        claimOrRead,
        1,
        `${tag}:sandboxes`,
        sandboxKey,
        options.hostId,
        `${tag}:alive:`,
      )) as [string, string | null];
      return previous && previous !== owner ? { owner, tookOverFrom: previous } : { owner };
    },
    close() {
      clearInterval(timer);
      void redis.del(`${tag}:alive:${options.hostId}`).catch(() => {});
    },
  };
}
