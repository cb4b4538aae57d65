import { AppError } from "../../errors.ts";
import { ndjsonLines } from "./ndjson-lines.ts";
import { apiFailure, SpritesError, transportFailure } from "./sprites-errors.ts";

export interface SpritesApiOptions {
  /** e.g. https://api.sprites.dev; a stand-in's base URL in tests. */
  baseUrl: string;
  token: string;
  /** Per plain request; streams (checkpoint, restore) get `streamTimeoutMs`. */
  requestTimeoutMs?: number;
  streamTimeoutMs?: number;
}

export interface SpriteInfo {
  name: string;
  status: string | undefined;
  /** Undefined when the API left them out (the list endpoint may). */
  labels: string[] | undefined;
  createdAt: string | undefined;
}

export interface RawCheckpoint {
  id: string;
  comment: string;
  createTime: string;
}

type Signal = AbortSignal | undefined;

/**
 * A small client for the Sprites REST API. Our own rather than `@fly/sprites`' because that one
 * takes no AbortSignal, swallows `error` lines of progress streams and puts URLs (with their
 * queries) into its errors; the routes and bodies are the same.
 */
export function createSpritesApi(options: SpritesApiOptions) {
  const base = options.baseUrl.replace(/\/+$/, "");
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const streamTimeoutMs = options.streamTimeoutMs ?? 10 * 60_000;
  const auth = { Authorization: `Bearer ${options.token}` };
  const spritePath = (name: string) => `/v1/sprites/${encodeURIComponent(name)}`;

  async function request(
    operation: string,
    path: string,
    init: RequestInit & { query?: Record<string, string> },
    signal: Signal,
    timeoutMs = requestTimeoutMs,
  ): Promise<Response> {
    const url = new URL(base + path);
    for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, value);
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await fetch(url, {
        ...init,
        headers: { ...auth, ...(init.headers as Record<string, string> | undefined) },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw transportFailure(operation, error, signal);
    }
  }

  async function expectOk(operation: string, response: Response): Promise<Response> {
    if (response.ok) return response;
    throw apiFailure(operation, response.status, await response.text().catch(() => ""), response.headers);
  }

  /** Follows a progress stream to its `complete` line; an `error` line or a silent end is a failure. */
  async function followStream(operation: string, response: Response): Promise<string[]> {
    if (!response.body)
      throw new SpritesError(`sprites_${operation}_failed`, `Sprites ${operation}: empty answer`);
    const said: string[] = [];
    try {
      for await (const event of ndjsonLines(response.body)) {
        if (event.type === "error") {
          const reason = String(event.error ?? event.message ?? "unknown error");
          throw new SpritesError(`sprites_${operation}_failed`, `Sprites ${operation} failed: ${reason}`);
        }
        if (typeof event.data === "string") said.push(event.data);
        if (event.type === "complete") return said;
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new SpritesError(`sprites_${operation}_failed`, `Sprites ${operation} stream broke off`, {
        retryable: true,
        cause: error,
      });
    }
    throw new SpritesError(`sprites_${operation}_failed`, `Sprites ${operation} ended without completing`, {
      retryable: true,
    });
  }

  return {
    baseUrl: base,
    authHeaders: auth,

    /** `created: false` when the name was already taken (a 409, or the 400 the API documents). */
    async createSprite(name: string, labels: string[], signal: Signal): Promise<{ created: boolean }> {
      const response = await request(
        "create",
        "/v1/sprites",
        {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ name, labels, url_settings: { auth: "sprite" } }),
        },
        signal,
        120_000,
      );
      if (response.ok) {
        await response.body?.cancel();
        return { created: true };
      }
      const body = await response.text().catch(() => "");
      if (response.status === 409 || (response.status === 400 && /exist|taken|duplicate/i.test(body))) {
        return { created: false };
      }
      throw apiFailure("create", response.status, body, response.headers);
    },

    async getSprite(name: string, signal: Signal): Promise<SpriteInfo | undefined> {
      const response = await request("get sprite", spritePath(name), { method: "GET" }, signal);
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      return toSpriteInfo(await (await expectOk("get sprite", response)).json());
    },

    async listSprites(prefix: string, signal: Signal): Promise<SpriteInfo[]> {
      const sprites: SpriteInfo[] = [];
      let token: string | undefined;
      do {
        const query: Record<string, string> = { prefix, max_results: "50" };
        if (token) query.continuation_token = token;
        const response = await request("list", "/v1/sprites", { method: "GET", query }, signal);
        const page = (await (await expectOk("list", response)).json()) as {
          sprites?: unknown[];
          has_more?: boolean;
          next_continuation_token?: string;
        };
        for (const entry of page.sprites ?? []) sprites.push(toSpriteInfo(entry));
        token = page.has_more ? page.next_continuation_token : undefined;
      } while (token);
      return sprites;
    },

    /** False when there was nothing to delete. */
    async deleteSprite(name: string, signal: Signal): Promise<boolean> {
      const response = await request("delete", spritePath(name), { method: "DELETE" }, signal);
      if (response.status === 404) return false;
      await expectOk("delete", response);
      await response.body?.cancel();
      return true;
    },

    async setLabels(name: string, labels: string[], signal: Signal): Promise<void> {
      const response = await request(
        "update labels",
        spritePath(name),
        { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ labels }) },
        signal,
      );
      await expectOk("update labels", response);
      await response.body?.cancel();
    },

    async readFile(name: string, path: string, workingDir: string, signal: Signal): Promise<Uint8Array> {
      const response = await request(
        "read file",
        `${spritePath(name)}/fs/read`,
        { method: "GET", query: { path, workingDir } },
        signal,
      );
      if (!response.ok) throw await fileFailure("read", path, response);
      return new Uint8Array(await response.arrayBuffer());
    },

    /** `timeoutMs` for a big body (a seed archive); plain writes get the request timeout. */
    async writeFile(
      name: string,
      path: string,
      workingDir: string,
      content: Uint8Array,
      signal: Signal,
      timeoutMs = requestTimeoutMs,
    ) {
      const response = await request(
        "write file",
        `${spritePath(name)}/fs/write`,
        {
          method: "PUT",
          query: { path, workingDir, mkdirParents: "true" },
          headers: { "Content-Type": "application/octet-stream" },
          body: content,
        },
        signal,
        timeoutMs,
      );
      if (!response.ok) throw await fileFailure("write", path, response);
      await response.body?.cancel();
    },

    /** The new checkpoint's id when the progress lines name it (they do: "ID: v3"). */
    async createCheckpoint(name: string, comment: string, signal: Signal): Promise<string | undefined> {
      const response = await request(
        "checkpoint",
        `${spritePath(name)}/checkpoint`,
        {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ comment }),
        },
        signal,
        streamTimeoutMs,
      );
      const said = await followStream("checkpoint", await expectOk("checkpoint", response));
      for (const line of said) {
        const match = /\bID:\s*(\S+)/.exec(line) ?? /^Checkpoint\s+(\S+)\s+created/i.exec(line);
        if (match?.[1]) return match[1];
      }
      return undefined;
    },

    async listCheckpoints(name: string, signal: Signal): Promise<RawCheckpoint[]> {
      const response = await request(
        "list checkpoints",
        `${spritePath(name)}/checkpoints`,
        { method: "GET" },
        signal,
      );
      const raw = (await (await expectOk("list checkpoints", response)).json()) as unknown;
      const entries = Array.isArray(raw) ? raw : ((raw as { checkpoints?: unknown[] }).checkpoints ?? []);
      return entries.map((entry) => {
        const item = entry as Record<string, unknown>;
        return {
          id: String(item.id),
          comment: typeof item.comment === "string" ? item.comment : "",
          createTime: typeof item.create_time === "string" ? item.create_time : "",
        };
      });
    },

    async restoreCheckpoint(name: string, id: string, signal: Signal): Promise<void> {
      const response = await request(
        "restore",
        `${spritePath(name)}/checkpoints/${encodeURIComponent(id)}/restore`,
        { method: "POST" },
        signal,
        streamTimeoutMs,
      );
      if (response.status === 404) {
        await response.body?.cancel();
        throw new SpritesError("sandbox_checkpoint_unknown", `no checkpoint ${id}`, { status: 404 });
      }
      await followStream("restore", await expectOk("restore", response));
    },
  };
}

export type SpritesApi = ReturnType<typeof createSpritesApi>;

function toSpriteInfo(raw: unknown): SpriteInfo {
  const item = (raw ?? {}) as Record<string, unknown>;
  return {
    name: String(item.name ?? ""),
    status: typeof item.status === "string" ? item.status : undefined,
    labels: Array.isArray(item.labels) ? item.labels.map(String) : undefined,
    createdAt: typeof item.created_at === "string" ? item.created_at : undefined,
  };
}

async function fileFailure(verb: string, path: string, response: Response): Promise<AppError> {
  const body = await response.text().catch(() => "");
  let code: unknown;
  try {
    code = (JSON.parse(body) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  if (code === "ENOENT" || (response.status === 404 && /no such file|not found: \//i.test(body))) {
    return new SpritesError("sandbox_file_not_found", `no such file: ${path}`, { status: response.status });
  }
  if (code === "EISDIR" || code === "ENOTDIR" || code === "EACCES" || code === "EPERM") {
    return new SpritesError("sandbox_file_failed", `cannot ${verb} ${path}: ${String(code)}`, {
      status: response.status,
    });
  }
  return apiFailure(`${verb} file`, response.status, body, response.headers);
}
