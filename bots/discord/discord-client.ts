import { Client, GatewayIntentBits, REST } from "discord.js";

/**
 * The gateway intents the adapter uses, and why (the README lists the same):
 * - Guilds: guild, channel and thread caches, THREAD_CREATE for threads we start, interactions'
 *   channels.
 * - GuildMessages: MESSAGE_CREATE in server channels and threads.
 * - MessageContent (privileged, switched on in the Developer Portal): the text of replies in a
 *   session's thread that do not mention the bot. Mentions carry their text without it.
 */
export const discordIntents = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
] as const;

export interface DiscordConnectionOptions {
  token: string;
  /** REST base without the version, e.g. `http://127.0.0.1:9002/api`; unset means Discord itself. */
  apiUrl?: string | undefined;
}

const restVersion = "10";

/** A REST client only, for workers: they post but hold no gateway connection. */
export function createDiscordRest(options: DiscordConnectionOptions): REST {
  return new REST({ version: restVersion, ...(options.apiUrl ? { api: options.apiUrl } : {}) }).setToken(
    options.token,
  );
}

/** The gateway client for ingress. Its gateway URL comes from `GET /gateway/bot` on the REST base. */
export function createDiscordClient(options: DiscordConnectionOptions): Client {
  return new Client({
    intents: [...discordIntents],
    rest: { version: restVersion, ...(options.apiUrl ? { api: options.apiUrl } : {}) },
    // Mentions in our own replies must never ping @everyone or roles, whatever the text says.
    allowedMentions: { parse: ["users"], repliedUser: false },
  });
}
