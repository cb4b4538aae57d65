import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from "pino";
import { type ThreadRef, threadKey } from "../chat/thread.ts";
import { createScrubber, type Scrubber } from "../credentials/scrubber.ts";

/** Keys whose value is a secret wherever they appear at the top or one level down. */
const secretKeys = [
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "botToken",
  "appToken",
  "authorization",
  "cookie",
  "apiKey",
  "secret",
  "clientSecret",
  "signingSecret",
  "password",
  "privateKey",
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "DISCORD_TOKEN",
  "OPENAI_API_KEY",
  "SPRITES_TOKEN",
  // A Redis URL may carry a password (redis://:pw@host).
  "REDIS_URL",
];

/**
 * pino's redact paths (fast-redact syntax). `*` is one level, so each key is listed both bare and
 * under a wildcard; HTTP headers appear two levels down in request logs. `env` is a whole
 * environment: every value in it is treated as secret.
 */
export const redactPaths: readonly string[] = [
  ...secretKeys,
  ...secretKeys.map((key) => `*.${key}`),
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  'headers["x-slack-signature"]',
  '*.headers["x-slack-signature"]',
  "env.*",
  "*.env.*",
];

/** The same marker the credential scrubber writes, so one search finds both kinds. */
export const redactedText = "[redacted]";

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where JSON lines go; stdout when unset. Tests pass a collecting stream. */
  destination?: DestinationStream;
  /**
   * The last line of defence: applied to every serialised line before it is written. Plug the
   * credential scrubber in here (`(line) => scrubber.scrub(line)`) or use createSecretLogFilter.
   */
  scrub?: (line: string) => string;
  /** Fields on every line, e.g. `{ role: "worker" }`. pid and hostname are kept by default. */
  base?: Record<string, unknown>;
}

/** The process's JSON logger: secret-looking keys redacted, errors serialised, lines scrubbed. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = options.scrub;
  return pino(
    {
      level: options.level ?? "info",
      ...(options.base ? { base: { pid: process.pid, hostname: hostname(), ...options.base } } : {}),
      redact: { paths: [...redactPaths], censor: redactedText },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers: what log search and alert rules are written against.
      formatters: { level: (label) => ({ level: label }) },
      ...(scrub ? { hooks: { streamWrite: (line: string) => scrub(line) } } : {}),
    },
    options.destination,
  );
}

export interface TurnContext {
  /** Correlates every line of one turn across ingress, worker and sandbox; e.g. the job id. */
  turnId?: string;
  thread: ThreadRef;
}

/** A child logger whose lines all carry the turn's correlation id and thread key. */
export function withTurn(logger: Logger, context: TurnContext): Logger {
  return logger.child({ turnId: context.turnId ?? randomUUID(), thread: threadKey(context.thread) });
}

/**
 * Replaces every known secret value in a log line, in the forms the credential scrubber knows
 * (JSON-escaped, URL-encoded, hex, base64 also inside basic-auth strings). `getSecrets` is read
 * per line so tokens decrypted just in time for one command are covered while they are live;
 * the scrubber's pattern is rebuilt only when the set of secrets changes.
 */
export function createSecretLogFilter(getSecrets: () => Iterable<string>): (line: string) => string {
  let cachedKey: string | undefined;
  let scrubber: Scrubber = createScrubber([]);
  return (line) => {
    const secrets = [...getSecrets()];
    const key = secrets.join("\u0000");
    if (key !== cachedKey) {
      scrubber = createScrubber(secrets);
      cachedKey = key;
    }
    return scrubber.scrub(line);
  };
}
