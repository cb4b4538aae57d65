import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { createLocalSandboxProvider } from "../../../src/sandbox/local/local-sandbox-provider.ts";
import type { Sandbox, SandboxProvider } from "../../../src/sandbox/sandbox.ts";
import { flattenHeaders, sendJson, startServer } from "../http-server.ts";
import { serveExec } from "./fake-sprites-exec.ts";
import {
  type FakeSpritesFaults,
  type RecordedRequest,
  resolveFsPath,
  startNdjson,
} from "./fake-sprites-wire.ts";

export type { FakeSpritesFaults, RecordedRequest } from "./fake-sprites-wire.ts";

interface FakeSprite {
  name: string;
  id: string;
  labels: string[];
  createdAt: string;
  sandbox: Promise<Sandbox>;
  checkpoints: Array<{ id: string; comment: string; createTime: string; localId: string }>;
  nextVersion: number;
  unavailableUntil: number;
}

export interface FakeSpritesServer {
  url: string;
  token: string;
  /** Where the Sprites' files live on this host, to scan them in tests. */
  rootDir: string;
  requests: RecordedRequest[];
  faults: FakeSpritesFaults;
  spriteNames(): string[];
  labelsOf(name: string): string[] | undefined;
  /** Fault: the Sprite disappears as if deleted from another tool. */
  deleteUnderneath(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeSprites(options: { token?: string } = {}): Promise<FakeSpritesServer> {
  const token = options.token ?? "fake-sprites-token";
  const root = await mkdtemp(path.join(tmpdir(), "th-fake-sprites-"));
  const local: SandboxProvider = await createLocalSandboxProvider({
    rootDir: path.join(root, "sprites"),
    isolation: "portable",
    network: { mode: "off" },
    defaultTimeoutMs: 24 * 3600_000,
    maxOutputBytes: 64 * 1024 * 1024,
  });
  const sprites = new Map<string, FakeSprite>();
  const requests: RecordedRequest[] = [];
  const faults: FakeSpritesFaults = {
    rateLimitCreates: 0,
    dropExecs: 0,
    restoreError: undefined,
    checkpointError: undefined,
    restoreUnavailableMs: 200,
    existsStatus: 409,
  };
  let execSequence = 0;

  const record = (req: IncomingMessage) =>
    requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: flattenHeaders(req) });
  const authorised = (req: IncomingMessage) => req.headers.authorization === `Bearer ${token}`;
  const spriteJson = (sprite: FakeSprite) => ({
    id: sprite.id,
    name: sprite.name,
    organization: "fake-org",
    status: "running",
    url: `https://${sprite.name}-fake.sprites.app`,
    url_settings: { auth: "sprite" },
    labels: sprite.labels,
    created_at: sprite.createdAt,
    updated_at: sprite.createdAt,
  });
  const notFound = (res: ServerResponse, what = "sprite not found") =>
    sendJson(res, 404, { error: "not_found", message: what });

  async function removeSprite(name: string): Promise<void> {
    const sprite = sprites.get(name);
    if (!sprite) return;
    sprites.delete(name);
    await (await sprite.sandbox).destroy();
  }

  const started = await startServer(async (req, res, body) => {
    record(req);
    if (!authorised(req)) return sendJson(res, 401, { error: "unauthorized", message: "invalid token" });
    const url = new URL(req.url ?? "/", "http://fake");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== "v1" || parts[1] !== "sprites") return notFound(res, "no such route");
    const name = parts[2];
    const rest = parts.slice(3).join("/");

    if (!name) {
      if (req.method === "POST") return createSprite(res, body);
      if (req.method === "GET") return listSprites(res, url.searchParams);
      return sendJson(res, 405, { error: "method_not_allowed" });
    }
    const sprite = sprites.get(name);
    if (!sprite) return notFound(res);
    const sandbox = await sprite.sandbox;

    if (rest === "") {
      if (req.method === "GET") return sendJson(res, 200, spriteJson(sprite));
      if (req.method === "DELETE") {
        await removeSprite(name);
        res.writeHead(204).end();
        return;
      }
      if (req.method === "PUT") {
        const update = JSON.parse(body.toString("utf8") || "{}") as { labels?: string[] };
        if (update.labels) sprite.labels = update.labels;
        return sendJson(res, 200, spriteJson(sprite));
      }
    }
    if (rest === "checkpoint" && req.method === "POST") {
      const { comment = "" } = JSON.parse(body.toString("utf8") || "{}") as { comment?: string };
      const stream = startNdjson(res);
      stream.info("Creating checkpoint...");
      if (faults.checkpointError) {
        stream.error(faults.checkpointError);
        faults.checkpointError = undefined;
        return stream.end();
      }
      const localCheckpoint = await sandbox.checkpoint(comment);
      const id = `v${sprite.nextVersion++}`;
      sprite.checkpoints.push({
        id,
        comment,
        createTime: new Date().toISOString(),
        localId: localCheckpoint.id,
      });
      stream.info(`  ID: ${id}`);
      stream.complete(`Checkpoint ${id} created successfully`);
      return stream.end();
    }
    if (rest === "checkpoints" && req.method === "GET") {
      // Newest first, with the live "Current" entry on top, as the API lists them.
      const listed = [...sprite.checkpoints].reverse().map((checkpoint) => ({
        id: checkpoint.id,
        create_time: checkpoint.createTime,
        comment: checkpoint.comment,
        is_auto: false,
      }));
      return sendJson(res, 200, [
        { id: "Current", create_time: new Date().toISOString(), comment: "" },
        ...listed,
      ]);
    }
    const restore = /^checkpoints\/([^/]+)\/restore$/.exec(rest);
    if (restore && req.method === "POST") {
      const checkpoint = sprite.checkpoints.find((entry) => entry.id === restore[1]);
      if (!checkpoint) return notFound(res, `checkpoint ${restore[1]} not found`);
      const stream = startNdjson(res);
      stream.info(`Restoring checkpoint ${checkpoint.id}...`);
      if (faults.restoreError) {
        stream.error(faults.restoreError);
        faults.restoreError = undefined;
        return stream.end();
      }
      await sandbox.restore(checkpoint.localId);
      sprite.unavailableUntil = Date.now() + faults.restoreUnavailableMs;
      stream.complete(`Checkpoint ${checkpoint.id} restored successfully`);
      return stream.end();
    }
    if (rest === "fs/read" && req.method === "GET") {
      const file = resolveFsPath(url.searchParams);
      try {
        const bytes = await sandbox.readFile(file);
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
        return void res.end(Buffer.from(bytes));
      } catch {
        return sendJson(res, 404, {
          error: `no such file or directory: ${file}`,
          code: "ENOENT",
          path: file,
        });
      }
    }
    if (rest === "fs/write" && req.method === "PUT") {
      const file = resolveFsPath(url.searchParams);
      await sandbox.writeFile(file, new Uint8Array(body));
      return sendJson(res, 200, { path: file, size: body.length });
    }
    return notFound(res, "no such route");
  });

  function createSprite(res: ServerResponse, body: Buffer): void {
    if (faults.rateLimitCreates > 0) {
      faults.rateLimitCreates--;
      sendJson(
        res,
        429,
        {
          error: "sprite_creation_rate_limited",
          message: "Sprite creation rate limit exceeded",
          limit: 10,
          window_seconds: 60,
          retry_after_seconds: 1,
        },
        { "retry-after": "1" },
      );
      return;
    }
    const request = JSON.parse(body.toString("utf8") || "{}") as { name?: string; labels?: string[] };
    if (!request.name || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(request.name)) {
      sendJson(res, 400, { error: "invalid_name", message: "invalid sprite name" });
      return;
    }
    if (sprites.has(request.name)) {
      sendJson(res, faults.existsStatus, { error: "already_exists", message: "sprite name already exists" });
      return;
    }
    // Reserved before any await, so two racing creations see one winner.
    const sprite: FakeSprite = {
      name: request.name,
      id: `sprite-${Math.random().toString(36).slice(2)}`,
      labels: request.labels ?? [],
      createdAt: new Date().toISOString(),
      sandbox: local.open(request.name),
      checkpoints: [],
      nextVersion: 1,
      unavailableUntil: 0,
    };
    sprites.set(request.name, sprite);
    void sprite.sandbox.then(
      () => sendJson(res, 201, spriteJson(sprite)),
      (error: unknown) => sendJson(res, 500, { error: "internal", message: String(error) }),
    );
  }

  function listSprites(res: ServerResponse, query: URLSearchParams): void {
    const prefix = query.get("prefix") ?? "";
    const max = Math.min(Number(query.get("max_results") ?? 50) || 50, 50);
    const after = query.get("continuation_token") ?? "";
    const names = [...sprites.keys()].filter((name) => name.startsWith(prefix) && name > after).sort();
    const page = names.slice(0, max);
    // Like the real list: minimal entries, no labels.
    const entries = page.map((name) => ({
      name,
      org_slug: "fake-org",
      updated_at: sprites.get(name)?.createdAt,
    }));
    const more = names.length > max;
    sendJson(res, 200, {
      sprites: entries,
      has_more: more,
      next_continuation_token: more ? page.at(-1) : undefined,
    });
  }

  const sockets = new WebSocketServer({ noServer: true });
  started.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    record(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const match = /^\/v1\/sprites\/([^/]+)\/exec$/.exec(url.pathname);
    const refuse = (status: number, payload: object) => {
      const text = JSON.stringify(payload);
      socket.end(
        `HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
      );
    };
    if (!authorised(req)) return refuse(401, { error: "unauthorized", message: "invalid token" });
    const sprite = match ? sprites.get(decodeURIComponent(match[1] ?? "")) : undefined;
    if (!sprite) return refuse(404, { error: "not_found", message: "sprite not found" });
    if (Date.now() < sprite.unavailableUntil)
      return refuse(503, { error: "unavailable", message: "sprite restarting" });
    const drop = faults.dropExecs > 0;
    if (drop) faults.dropExecs--;
    void sprite.sandbox.then((sandbox) =>
      sockets.handleUpgrade(req, socket, head, (ws) =>
        serveExec({
          socket: ws,
          sandbox,
          query: url.searchParams,
          pidDir: root,
          sequence: execSequence++,
          drop,
        }),
      ),
    );
  });

  return {
    url: `http://127.0.0.1:${started.port}`,
    token,
    rootDir: root,
    requests,
    faults,
    spriteNames: () => [...sprites.keys()],
    labelsOf: (name) => sprites.get(name)?.labels,
    deleteUnderneath: removeSprite,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await started.close();
      await local.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
