import type { Logger } from "pino";
import type { AppConfig } from "../../config/schema.ts";
import { redisAnswers, startPrivateRedis } from "../../queue/private-redis-server.ts";

/**
 * REDIS_URL, or 127.0.0.1:6379 when something answers there, or else a private redis-server
 * (AOF, noeviction) under the data dir, stopped with the app: `npm start` needs no set-up.
 */
export async function resolveRedisUrl(
  config: AppConfig,
  logger: Logger,
  stops: Array<() => void>,
): Promise<string> {
  if (config.REDIS_URL) return config.REDIS_URL;
  if (await redisAnswers("127.0.0.1", 6379)) return "redis://127.0.0.1:6379";
  logger.warn("no Redis answers on 127.0.0.1:6379 and REDIS_URL is unset: starting a private redis-server");
  const local = await startPrivateRedis(config.THREADHANDS_DATA_DIR);
  stops.push(local.stop);
  return local.url;
}

/** At most one call per interval: a Redis outage would otherwise log every reconnect attempt. */
export function throttle<T extends unknown[]>(
  call: (...args: T) => void,
  intervalMs: number,
): (...args: T) => void {
  let last = 0;
  return (...args) => {
    if (Date.now() - last < intervalMs) return;
    last = Date.now();
    call(...args);
  };
}
