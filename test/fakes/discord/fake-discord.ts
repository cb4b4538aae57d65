import { randomBytes } from "node:crypto";
import { startServer } from "../http-server.ts";
import { pollUntil, type WaitForOptions } from "../wait-for.ts";
import { describeDiscordState } from "./describe-discord-state.ts";
import type { DiscordContext } from "./discord-context.ts";
import { createFakeGateway, type FakeGateway } from "./discord-gateway.ts";
import { buildInteraction } from "./discord-interaction-builders.ts";
import {
  channelPayload,
  channelTypes,
  type FakeUser,
  gatewayMessagePayload,
  guildPayload,
  memberPayload,
  type StoredChannel,
  type StoredMessage,
  userPayload,
} from "./discord-payloads.ts";
import { createDiscordRest, type RestCall, type RestFault } from "./discord-rest.ts";
import { createDiscordStore, type StoredInteraction } from "./discord-store.ts";

/**
 * A Discord stand-in that a real discord.js client talks to: REST on node:http under
 * `/api/v10` and the gateway on `ws` at the URL `GET /gateway/bot` names. One guild with one
 * text channel to start; humans act through `say`, `click` and `command`, which dispatch the
 * events Discord would. Everything the bot does is recorded for assertions.
 */

export interface FakeDiscordOptions {
  token?: string;
  heartbeatIntervalMs?: number;
}

export interface FakeDiscord {
  /** The REST base for DISCORD_API_URL / `rest.api`: `http://127.0.0.1:<port>/api`. */
  readonly url: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: FakeUser;
  readonly guildId: string;
  /** The text channel the fake starts with. */
  readonly channelId: string;
  readonly gateway: FakeGateway;
  readonly calls: RestCall[];
  readonly unexpectedCalls: Array<{ method: string; path: string; reason: string }>;
  addUser(username: string): FakeUser;
  /** A human posts a message (`<@id>` in the text mentions that user); dispatches MESSAGE_CREATE. */
  say(user: FakeUser, channelId: string, content: string): StoredMessage;
  /** A channel webhook (e.g. an alerting integration) posts; dispatches MESSAGE_CREATE with `webhook_id`. */
  webhookSays(channelId: string, content: string): StoredMessage;
  /** Sends a message's MESSAGE_CREATE again, as a gateway replay would. */
  replay(messageId: string): void;
  /** A human clicks a button of a message; dispatches INTERACTION_CREATE (component). */
  click(user: FakeUser, messageId: string, customId: string): StoredInteraction;
  /** A human runs a slash command with string options; dispatches INTERACTION_CREATE (command). */
  command(
    user: FakeUser,
    channelId: string,
    name: string,
    options: Record<string, string>,
  ): StoredInteraction;
  failNext(route: string, fault?: RestFault): void;
  message(id: string): StoredMessage | undefined;
  messages(channelId: string): StoredMessage[];
  /** Direct messages the bot sent to one user. */
  directMessages(userId: string): StoredMessage[];
  threads(): StoredChannel[];
  callsTo(route: string): RestCall[];
  waitFor<T>(
    predicate: (fake: FakeDiscord) => T | undefined | null | false,
    options?: WaitForOptions,
  ): Promise<T>;
  waitForMessage(
    channelId: string,
    predicate: (message: StoredMessage) => boolean,
    options?: WaitForOptions,
  ): Promise<StoredMessage>;
  assertNoUnexpectedCalls(): void;
  close(): Promise<void>;
}

export async function createFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? `fake.${randomBytes(18).toString("base64url")}`;
  const users = new Map<string, FakeUser>();
  const store = createDiscordStore({ name: "Incident Response", ownerId: "0" });
  const botUser: FakeUser = { id: store.nextId(), username: "threadhands", bot: true };
  const applicationId = botUser.id;
  users.set(botUser.id, botUser);
  store.guild.ownerId = botUser.id;
  const channel = store.addChannel({
    id: store.nextId(),
    type: channelTypes.guildText,
    name: "incidents",
    parentId: null,
  });

  let baseUrl = "";
  let rest: ReturnType<typeof createDiscordRest> | undefined;
  const started = await startServer((req, res, body) => rest?.handle(req, res, body));
  baseUrl = `http://127.0.0.1:${started.port}`;

  const gateway = createFakeGateway({
    server: started.server,
    token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    resumeUrl: `${baseUrl.replace(/^http/, "ws")}/gateway-resume`,
    readyPayload: (sessionId, resumeUrl) => ({
      v: 10,
      user: { ...userPayload(botUser), verified: true, mfa_enabled: false, email: null },
      guilds: [{ id: store.guild.id, unavailable: true }],
      session_id: sessionId,
      session_type: "normal",
      resume_gateway_url: resumeUrl,
      shard: [0, 1],
      application: { id: applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      user_settings: {},
      geo_ordered_rtc_regions: [],
      auth_session_id_hash: "",
      _trace: ['["fake-discord-gateway"]'],
    }),
    afterReady: () => [{ t: "GUILD_CREATE", d: guildCreatePayload() }],
  });

  const context: DiscordContext = {
    store,
    gateway,
    botUser,
    applicationId,
    baseUrl: () => `${baseUrl}/api`,
    gatewayUrl: () => `${baseUrl.replace(/^http/, "ws")}/gateway`,
    userById: (id) => users.get(id),
  };
  rest = createDiscordRest(context, token);

  function guildCreatePayload() {
    const all = [...store.channels.values()];
    return {
      ...guildPayload(store.guild),
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: users.size,
      voice_states: [],
      members: [...users.values()].map((user) => memberPayload(user, { withUser: true })),
      channels: all.filter((item) => item.type !== channelTypes.publicThread).map(channelPayload),
      threads: all.filter((item) => item.type === channelTypes.publicThread).map(channelPayload),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      embedded_activities: [],
      activity_instances: [],
    };
  }

  const dispatchInteraction = (interaction: StoredInteraction, payload: Record<string, unknown>) => {
    store.interactions.set(interaction.id, interaction);
    gateway.dispatch("INTERACTION_CREATE", payload);
    return interaction;
  };

  const fake: FakeDiscord = {
    url: `${baseUrl}/api`,
    token,
    applicationId,
    botUser,
    guildId: store.guild.id,
    channelId: channel.id,
    gateway,
    get calls() {
      return rest?.calls ?? [];
    },
    get unexpectedCalls() {
      return rest?.unexpected ?? [];
    },
    addUser(username) {
      const user = { id: store.nextId(), username };
      users.set(user.id, user);
      return user;
    },
    say(user, channelId, content) {
      const mentions = [...content.matchAll(/<@!?(\d+)>/g)].flatMap((match) => {
        const mentioned = users.get(match[1] ?? "");
        return mentioned ? [mentioned] : [];
      });
      const message = store.addMessage({ channelId, author: user, content, mentions });
      gateway.dispatch("MESSAGE_CREATE", gatewayMessagePayload(message, context.baseUrl()));
      return message;
    },
    webhookSays(channelId, content) {
      const webhookId = store.nextId();
      const mentions = content.includes(`<@${botUser.id}>`) ? [botUser] : [];
      // Webhook authors are the webhook itself: its id as user id, and no `bot` flag to rely on.
      const author = { id: webhookId, username: "alerts" };
      const message = store.addMessage({ channelId, author, content, mentions, webhookId });
      gateway.dispatch("MESSAGE_CREATE", gatewayMessagePayload(message, context.baseUrl()));
      return message;
    },
    replay(messageId) {
      const message = store.messages.get(messageId);
      if (!message) throw new Error(`no message ${messageId} to replay`);
      gateway.dispatch("MESSAGE_CREATE", gatewayMessagePayload(message, context.baseUrl()));
    },
    click(user, messageId, customId) {
      const message = store.messages.get(messageId);
      if (!message) throw new Error(`no message ${messageId} to click`);
      const built = buildInteraction(context, { kind: "component", user, message, customId });
      return dispatchInteraction(built.record, built.payload);
    },
    command(user, channelId, name, commandOptions) {
      const built = buildInteraction(context, {
        kind: "command",
        user,
        channelId,
        name,
        options: commandOptions,
      });
      return dispatchInteraction(built.record, built.payload);
    },
    failNext(route, fault = { retryAfter: 1 }) {
      rest?.failNext(route, fault);
    },
    message: (id) => store.messages.get(id),
    messages: (channelId) => store.channelMessages(channelId),
    directMessages: (userId) =>
      [...store.channels.values()]
        .filter((channel) => channel.type === channelTypes.dm && channel.ownerId === userId)
        .flatMap((channel) => store.channelMessages(channel.id)),
    threads: () => [...store.channels.values()].filter((item) => item.type === channelTypes.publicThread),
    callsTo: (route) => (rest?.calls ?? []).filter((call) => call.route === route),
    waitFor: (predicate, waitOptions) =>
      pollUntil(
        () => predicate(fake),
        () => describeDiscordState(fake),
        waitOptions,
      ),
    waitForMessage: (channelId, predicate, waitOptions) =>
      fake.waitFor((f) => f.messages(channelId).find(predicate), {
        description: `a message in ${channelId}`,
        ...waitOptions,
      }),
    assertNoUnexpectedCalls() {
      const unexpected = rest?.unexpected ?? [];
      if (unexpected.length === 0) return;
      throw new Error(
        `fake Discord received unexpected calls:\n${unexpected.map((call) => `- ${call.method} ${call.path}: ${call.reason}`).join("\n")}`,
      );
    },
    async close() {
      await gateway.close();
      await started.close();
    },
  };
  return fake;
}
