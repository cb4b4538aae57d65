import { Client, Events, GatewayIntentBits, type Message, MessageFlags, REST, Routes } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeDiscord, type FakeDiscord } from "../fakes/discord/fake-discord.ts";

// Real discord.js on the other side of the fake: its REST client and gateway shard are what
// the bot uses, so a shape the fake gets wrong shows up here as a client that does not work.
describe("real discord.js against the fake Discord", () => {
  let fake: FakeDiscord;
  let client: Client;

  beforeEach(async () => {
    fake = await createFakeDiscord();
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: fake.url },
    });
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(fake.token);
    await ready;
  });

  afterEach(async () => {
    await client.destroy();
    await fake.close();
  });

  it("connects through GET /gateway/bot, identifies with v=10 JSON and caches the guild and its channel", () => {
    const connection = fake.gateway.connections[0];
    expect(connection?.url).toBe("/gateway?v=10&encoding=json");
    const identify = connection?.received.find((frame) => frame.op === 2);
    expect(identify?.d).toMatchObject({ token: fake.token });
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.guilds.cache.get(fake.guildId)?.channels.cache.has(fake.channelId)).toBe(true);
    expect(fake.callsTo("GET /gateway/bot")[0]?.headers.authorization).toBe(`Bot ${fake.token}`);
  });

  it("delivers a human's message with its mention and starts a thread that the client caches", async () => {
    const alice = fake.addUser("alice");
    const seen = new Promise<Message>((resolve) => client.once(Events.MessageCreate, resolve));
    const sent = fake.say(alice, fake.channelId, `<@${fake.botUser.id}> look at the web tier`);
    const message = await seen;
    expect(message.id).toBe(sent.id);
    expect(message.author.bot).toBe(false);
    expect(message.mentions.users.has(fake.botUser.id)).toBe(true);
    const thread = await message.startThread({ name: "web tier" });
    expect(thread.id).toBe(sent.id);
    await fake.waitFor(() => client.channels.cache.get(thread.id));
    await expect(
      client.rest.post(Routes.threads(fake.channelId, sent.id), { body: { name: "again" } }),
    ).rejects.toMatchObject({ code: 160004 });
  });

  it("answers a button click's callback, edits the message, and refuses a second callback", async () => {
    const alice = fake.addUser("alice");
    const posted = (await client.rest.post(Routes.channelMessages(fake.channelId), {
      body: {
        content: "checkpoint",
        components: [
          { type: 1, components: [{ type: 2, style: 4, label: "Restore", custom_id: "restore:abc" }] },
        ],
      },
    })) as { id: string };
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isButton()) return;
      if (interaction.user.id === alice.id) await interaction.deferUpdate();
      else await interaction.reply({ content: "not you", flags: MessageFlags.Ephemeral });
    });
    const click = fake.click(alice, posted.id, "restore:abc");
    await fake.waitFor(() => click.callbacks[0]);
    expect(click.callbacks[0]?.type).toBe(6);
    const stranger = fake.click(fake.addUser("mallory"), posted.id, "restore:abc");
    await fake.waitFor(() => stranger.ephemerals[0]);
    expect(stranger.callbacks[0]).toMatchObject({ type: 4, data: { content: "not you", flags: 64 } });
    await client.rest.patch(Routes.channelMessage(fake.channelId, posted.id), {
      body: { content: "restored", components: [] },
    });
    expect(fake.message(posted.id)).toMatchObject({ content: "restored", components: [] });
    const again = await fetch(`${fake.url}/v10/interactions/${click.id}/${click.token}/callback`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: 6 }),
    });
    expect(again.status).toBe(400);
  });

  it("takes files as multipart, rejects over-long content, and answers a bad token with 401", async () => {
    await client.rest.post(Routes.channelMessages(fake.channelId), {
      body: { content: "output attached", attachments: [{ id: 0, filename: "output.txt" }] },
      files: [{ name: "output.txt", data: Buffer.from("a".repeat(5000)), contentType: "text/plain" }],
    });
    const withFile = fake.messages(fake.channelId).find((message) => message.content === "output attached");
    expect(withFile?.attachments[0]?.bytes.toString()).toBe("a".repeat(5000));
    await expect(
      client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: "x".repeat(2001) } }),
    ).rejects.toMatchObject({ code: 50035, status: 400 });
    const stranger = new REST({ api: fake.url, retries: 0 }).setToken("not-the-token");
    await expect(stranger.get(Routes.channel(fake.channelId))).rejects.toMatchObject({ status: 401 });
  });

  it("sends a 429 with Retry-After on demand, which the REST client waits out and retries", async () => {
    fake.failNext("POST /channels/{channel}/messages", { retryAfter: 0.3 });
    const started = Date.now();
    await client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: "after the limit" } });
    const attempts = fake.callsTo("POST /channels/{channel}/messages");
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("replays what a dropped client missed when it resumes its session", async () => {
    const alice = fake.addUser("alice");
    const contents: string[] = [];
    client.on(Events.MessageCreate, (message) => void contents.push(message.content));
    const resumed = new Promise((resolve) => client.once(Events.ShardResume, resolve));
    fake.gateway.dropConnection();
    fake.say(alice, fake.channelId, "sent while the bot was away");
    await resumed;
    await fake.waitFor(() => contents.includes("sent while the bot was away"));
    const resume = fake.gateway.connections[1];
    expect(resume?.url).toBe("/gateway-resume?v=10&encoding=json");
    expect(resume?.received.find((frame) => frame.op === 6)?.d).toMatchObject({
      session_id: fake.gateway.sessionId,
    });
  });
});
