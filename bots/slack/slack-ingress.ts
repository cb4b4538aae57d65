import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, type CustomRoute, LogLevel } from "@slack/bolt";
import type { InboundAction, InboundActionKind, InboundMessage, ThreadRef } from "../../src/chat/thread.ts";
import type { TurnQueue } from "../../src/chat/turn-queue.ts";
import { actionIds } from "./slack-blocks.ts";

export interface SlackIngressOptions {
  botToken: string;
  signingSecret: string;
  /** Socket Mode when set; otherwise Bolt's HTTP receiver at POST /slack/events. */
  appToken?: string;
  apiUrl?: string;
  port: number;
  queue: TurnQueue;
  customRoutes?: CustomRoute[];
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

interface SlackMessageEvent {
  type: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  /** message_deleted: the ts of the message that went. */
  deleted_ts?: string;
}

/**
 * Turns Slack events into queued work. Bolt verifies the v0 signature and its 5-minute window.
 * Listeners only enqueue, and Bolt answers after them (`processBeforeResponse`), so a failed
 * enqueue is a 5xx that Slack retries instead of a silently lost message.
 */
export async function startSlackIngress(options: SlackIngressOptions) {
  const { queue } = options;
  const app = new App({
    token: options.botToken,
    signingSecret: options.signingSecret,
    ...(options.appToken ? { socketMode: true, appToken: options.appToken } : {}),
    clientOptions: options.apiUrl ? { slackApiUrl: options.apiUrl } : {},
    processBeforeResponse: true,
    customRoutes: options.customRoutes ?? [],
    ...(options.appToken ? { installerOptions: { port: options.port } } : {}),
    logLevel: LogLevel.WARN,
  });

  app.event("app_mention", async ({ event, body, context }) => {
    const mention = event as unknown as SlackMessageEvent;
    if (mention.bot_id || !mention.user) return;
    await queue.enqueueMessage(toInboundMessage(mention, teamOf(body, context), true, context.botUserId));
  });

  app.event("message", async ({ event, body, context }) => {
    const message = event as unknown as SlackMessageEvent;
    if (message.subtype === "message_deleted" && message.deleted_ts) {
      // The thread's root was deleted: its session ends, and an ephemeral sandbox goes with it.
      const thread: ThreadRef = {
        platform: "slack",
        workspace: teamOf(body, context),
        channel: message.channel,
        thread: message.deleted_ts,
      };
      if (!(await queue.hasSession(thread))) return;
      await queue.enqueueAction({
        actionId: `slack:deleted:${message.channel}:${message.deleted_ts}`,
        kind: "thread_deleted",
        value: message.deleted_ts,
        thread,
        user: { id: "slack" },
        messageRef: message.deleted_ts,
      });
      return;
    }
    // Only human replies inside a thread; edits, joins and bot posts (ours too) have a subtype or bot_id.
    if (message.subtype || message.bot_id || !message.user || !message.thread_ts) return;
    // A reply that mentions us also arrives as app_mention; both map to one message id and one job.
    const mentioned = Boolean(context.botUserId && message.text?.includes(`<@${context.botUserId}>`));
    const inbound = toInboundMessage(message, teamOf(body, context), mentioned, context.botUserId);
    if (!mentioned && !(await queue.hasSession(inbound.thread))) return;
    await queue.enqueueMessage(inbound);
  });

  const kindOf = new Map(
    Object.entries(actionIds).map(([kind, id]) => [id as string, kind as InboundActionKind]),
  );
  app.action(new RegExp(`^(${[...kindOf.keys()].join("|")})$`), async ({ ack, body, action, context }) => {
    if (body.type !== "block_actions" || action.type !== "button") return ack();
    const kind = "action_id" in action ? kindOf.get(action.action_id) : undefined;
    if (!kind) return ack();
    const container = body.container as { message_ts?: string; thread_ts?: string; channel_id?: string };
    const channel = body.channel?.id ?? container.channel_id;
    const messageTs = body.message?.ts ?? container.message_ts;
    if (!channel || !messageTs) return ack();
    const thread: ThreadRef = {
      platform: "slack",
      workspace: body.team?.id ?? context.teamId ?? "unknown",
      channel,
      thread: (body.message?.thread_ts as string | undefined) ?? container.thread_ts ?? messageTs,
    };
    const inbound: InboundAction = {
      actionId: `slack:${channel}:${messageTs}:${"action_ts" in action ? action.action_ts : Date.now()}:${body.user.id}`,
      kind,
      value: action.value ?? "",
      thread,
      user: { id: body.user.id, name: body.user.name },
      messageRef: messageTs,
    };
    await queue.enqueueAction(inbound);
    await ack();
  });

  const started = (await app.start(options.port)) as Server | undefined;
  const address = started?.address?.() as AddressInfo | null | undefined;
  const port = address?.port ?? options.port;
  options.logger.info({ port, socketMode: Boolean(options.appToken) }, "slack ingress listening");
  return {
    port,
    /** The HTTP server (absent in Socket Mode), for ack timing. */
    server: started && "address" in started ? started : undefined,
    async stop() {
      await app.stop();
    },
  };
}

function teamOf(body: unknown, context: { teamId?: string }): string {
  return (body as { team_id?: string }).team_id ?? context.teamId ?? "unknown";
}

function toInboundMessage(
  event: SlackMessageEvent,
  team: string,
  mentioned: boolean,
  botUserId: string | undefined,
): InboundMessage {
  const text = (event.text ?? "").replaceAll(botUserId ? `<@${botUserId}>` : "\u0000", "").trim();
  return {
    messageId: `slack:${team}:${event.channel}:${event.ts}`,
    // A top-level mention makes its own message the root of the session's thread.
    thread: {
      platform: "slack",
      workspace: team,
      channel: event.channel,
      thread: event.thread_ts ?? event.ts,
    },
    user: { id: event.user ?? "unknown" },
    text,
    mentioned,
    receivedAt: new Date().toISOString(),
  };
}
