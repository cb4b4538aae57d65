import { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import { createDiscordRest } from "../../bots/discord/discord-client.ts";
import { createDiscordPoster } from "../../bots/discord/discord-poster.ts";
import { createSlackPoster } from "../../bots/slack/slack-poster.ts";
import type { AppConfig } from "../../config/schema.ts";
import { createChannelPacer } from "../chat/channel-pacer.ts";
import { createPlatformPoster } from "../chat/platform-poster.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";

/** One poster that speaks on every platform this deployment runs. */
export function createPosters(config: AppConfig, logger: Logger): ThreadPoster {
  const slack = config.SLACK_BOT_TOKEN
    ? createSlackPoster(
        new WebClient(
          config.SLACK_BOT_TOKEN,
          config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {},
        ),
        createChannelPacer({ perSecond: config.chat.postsPerSecondPerChannel, burst: config.chat.postBurst }),
      )
    : undefined;
  const discord = config.DISCORD_TOKEN
    ? createDiscordPoster({
        rest: createDiscordRest({ token: config.DISCORD_TOKEN, apiUrl: config.DISCORD_API_URL }),
        logger,
      })
    : undefined;
  return createPlatformPoster({ slack, discord });
}
