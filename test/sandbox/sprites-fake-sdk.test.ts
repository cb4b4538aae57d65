import { SpritesClient } from "@fly/sprites";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSpritesServer, startFakeSprites } from "../fakes/sprites/fake-sprites-server.ts";

/** The fake must speak the wire protocol the official SDK speaks, not only the one we wrote. */
let fake: FakeSpritesServer;
beforeAll(async () => {
  fake = await startFakeSprites();
});
afterAll(async () => {
  await fake.close();
});

describe("fake Sprites API against the official @fly/sprites SDK", () => {
  it("creates, execs, checkpoints, restores, moves files and deletes as the SDK expects", async () => {
    const client = new SpritesClient(fake.token, { baseURL: fake.url });
    const sprite = await client.createSprite("sdk-check", { labels: ["threadhands"] });
    expect(sprite.name).toBe("sdk-check");
    expect((await client.getSprite("sdk-check")).labels).toEqual(["threadhands"]);

    const command = sprite.spawn("bash", ["-c", "cat; echo err >&2; exit 4"]);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    command.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    command.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    await new Promise((resolve) => command.once("spawn", resolve));
    command.stdin.end("from stdin");
    expect(await command.wait()).toBe(4);
    expect(Buffer.concat(out).toString()).toBe("from stdin");
    expect(Buffer.concat(err).toString()).toBe("err\n");

    // Not sprite.exec: the SDK's execFile never sends stdin EOF, so a command waits forever.
    const pwd = sprite.spawn("pwd");
    const dir: Buffer[] = [];
    pwd.stdout.on("data", (chunk: Buffer) => dir.push(chunk));
    await new Promise((resolve) => pwd.once("spawn", resolve));
    pwd.stdin.end();
    expect(await pwd.wait()).toBe(0);
    const fs = sprite.filesystem(Buffer.concat(dir).toString().trim());
    await fs.writeFile("notes/a.txt", "kept");
    const stream = await sprite.createCheckpoint("sdk step");
    const events = [];
    for await (const event of stream) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: "complete" });
    const [current, newest] = await sprite.listCheckpoints();
    expect(current?.id).toBe("Current");
    expect(newest?.comment).toBe("sdk step");

    await fs.writeFile("notes/a.txt", "changed");
    for await (const event of await sprite.restoreCheckpoint(newest?.id ?? ""))
      expect(event.type).not.toBe("error");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await fs.readFile("notes/a.txt", "utf8")).toBe("kept");
    await expect(fs.readFile("notes/missing.txt")).rejects.toMatchObject({ code: "ENOENT" });

    expect((await client.listSprites({ prefix: "sdk-" })).sprites.map((entry) => entry.name)).toEqual([
      "sdk-check",
    ]);
    await client.deleteSprite("sdk-check");
    await expect(client.getSprite("sdk-check")).rejects.toMatchObject({ statusCode: 404 });
  });
});
