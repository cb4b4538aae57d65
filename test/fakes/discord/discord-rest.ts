import type { IncomingMessage, ServerResponse } from "node:http";
import { flattenHeaders, sendJson } from "../http-server.ts";
import { channelRoutes } from "./discord-channel-routes.ts";
import {
  type DiscordContext,
  discordError,
  ok,
  type ParsedRequest,
  type Route,
  type RouteResult,
} from "./discord-context.ts";
import { interactionRoutes } from "./discord-interaction-routes.ts";
import type { StoredAttachment } from "./discord-payloads.ts";
import { channelTypes, userPayload } from "./discord-payloads.ts";

/**
 * The REST front of the fake: `/api/v10/...` routes, `Authorization: Bot <token>` checked on
 * every route but the interaction-token ones, JSON and multipart bodies (`payload_json` plus
 * `files[n]`), faults on demand (a 429 with `Retry-After` and `retry_after`), and a record of
 * every call.
 */

export interface RestCall {
  method: string;
  /** The route template, e.g. `PATCH /channels/{channel}/messages/{message}`. */
  route: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  files: Array<{ filename: string; contentType: string | undefined; bytes: Buffer }>;
  status: number;
  response: unknown;
  at: number;
}

export interface RestFault {
  /** Seconds to wait; the 429 carries it as `Retry-After` and as JSON `retry_after`. */
  retryAfter?: number;
  global?: boolean;
  /** How many consecutive matching calls to fail; default 1. */
  times?: number;
}

const tokenRoutes = new Set(interactionRoutes.map(([route]) => route));

const gatewayRoutes: Array<[string, RegExp, Route]> = [
  ["GET /gateway", /^\/gateway$/, (_request, _params, context) => ok({ url: gatewayUrlOf(context) })],
  [
    "GET /gateway/bot",
    /^\/gateway\/bot$/,
    (_request, _params, context) =>
      ok({
        url: gatewayUrlOf(context),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      }),
  ],
  [
    "GET /users/@me",
    /^\/users\/@me$/,
    (_request, _params, context) =>
      ok({ ...userPayload(context.botUser), verified: true, mfa_enabled: false }),
  ],
  [
    // A DM channel with one user: how a bot speaks to one person outside an interaction.
    "POST /users/@me/channels",
    /^\/users\/@me\/channels$/,
    (request, _params, context) => {
      const recipientId = String(request.body.recipient_id ?? "");
      const recipient = context.userById(recipientId);
      if (!recipient) return discordError(400, 50035, "Invalid Form Body", { recipient_id: "unknown user" });
      const existing = [...context.store.channels.values()].find(
        (channel) => channel.type === channelTypes.dm && channel.ownerId === recipientId,
      );
      const channel =
        existing ??
        context.store.addChannel({
          id: context.store.nextId(),
          type: channelTypes.dm,
          name: `dm-${recipient.username}`,
          parentId: null,
          ownerId: recipientId,
        });
      return ok({
        id: channel.id,
        type: channelTypes.dm,
        recipients: [userPayload(recipient)],
        last_message_id: null,
      });
    },
  ],
];

function gatewayUrlOf(context: DiscordContext): string {
  return context.gatewayUrl();
}

const routes = [...gatewayRoutes, ...channelRoutes, ...interactionRoutes];

async function parseBody(headers: Record<string, string>, raw: Buffer, nextId: () => string) {
  const type = headers["content-type"] ?? "";
  if (type.startsWith("multipart/form-data")) {
    const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
    const body = JSON.parse(String(form.get("payload_json") ?? "{}")) as Record<string, unknown>;
    const files: StoredAttachment[] = [];
    for (const [name, value] of form.entries()) {
      if (!/^files\[\d+\]$/.test(name) || typeof value === "string") continue;
      const bytes = Buffer.from(await value.arrayBuffer());
      files.push({
        id: nextId(),
        filename: value.name,
        size: bytes.length,
        contentType: value.type || undefined,
        bytes,
      });
    }
    return { body, files };
  }
  if (raw.length === 0) return { body: {}, files: [] };
  return { body: JSON.parse(raw.toString("utf8")) as Record<string, unknown>, files: [] };
}

export interface DiscordRest {
  calls: RestCall[];
  unexpected: Array<{ method: string; path: string; reason: string }>;
  failNext(route: string, fault: RestFault): void;
  handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void>;
}

export function createDiscordRest(context: DiscordContext, token: string): DiscordRest {
  const calls: RestCall[] = [];
  const unexpected: DiscordRest["unexpected"] = [];
  const faults = new Map<string, RestFault[]>();

  function takeFault(route: string): RestFault | undefined {
    const queue = faults.get(route);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    if ((fault.times ?? 1) > 1) queue[0] = { ...fault, times: (fault.times ?? 1) - 1 };
    else queue.shift();
    return fault;
  }

  return {
    calls,
    unexpected,
    failNext(route, fault) {
      faults.set(route, [...(faults.get(route) ?? []), fault]);
    },
    async handle(req, res, raw) {
      const url = new URL(req.url ?? "/", "http://fake");
      const method = req.method ?? "GET";
      const headers = flattenHeaders(req);
      const path = url.pathname.replace(/^\/api\/v10(?=\/)/, "");
      const match = routes
        .filter(([route]) => route.startsWith(`${method} `))
        .map(([route, pattern, handler]) => ({ route, handler, params: pattern.exec(path) }))
        .find((candidate) => candidate.params);
      const routeName = match?.route ?? `${method} ${path}`;
      let parsed: { body: Record<string, unknown>; files: StoredAttachment[] } = { body: {}, files: [] };
      let result: RouteResult;
      let invalidBody = false;
      const extraHeaders: Record<string, string> = {};
      try {
        parsed = await parseBody(headers, raw, context.store.nextId);
      } catch {
        invalidBody = true;
      }
      const authorised = headers.authorization === `Bot ${token}`;
      const fault = match ? takeFault(match.route) : undefined;
      if (!url.pathname.startsWith("/api/v10/")) {
        unexpected.push({ method, path: url.pathname, reason: "not under /api/v10" });
        result = discordError(404, 0, "404: Not Found");
      } else if (!match) {
        unexpected.push({ method, path, reason: "no such route in the fake" });
        result = discordError(404, 0, "404: Not Found");
      } else if (!tokenRoutes.has(match.route) && !authorised) {
        result = discordError(401, 0, "401: Unauthorized");
      } else if (invalidBody) {
        result = discordError(400, 50109, "The request body contains invalid JSON.");
      } else if (fault) {
        const seconds = fault.retryAfter ?? 1;
        result = {
          status: 429,
          body: {
            message: "You are being rate limited.",
            retry_after: seconds,
            global: Boolean(fault.global),
          },
        };
        Object.assign(extraHeaders, {
          "retry-after": String(Math.ceil(seconds)),
          "x-ratelimit-limit": "5",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset-after": String(seconds),
          "x-ratelimit-bucket": `fake-${match.route.replaceAll(/[^a-z]/gi, "")}`,
          "x-ratelimit-scope": fault.global ? "global" : "user",
          ...(fault.global ? { "x-ratelimit-global": "true" } : {}),
        });
      } else {
        const request: ParsedRequest = {
          method,
          path,
          query: url.searchParams,
          body: parsed.body,
          files: parsed.files,
          authorised,
        };
        const params = (match.params ?? []).slice(1).map((param) => decodeURIComponent(param));
        result = await match.handler(request, params, context);
      }
      calls.push({
        method,
        route: routeName,
        path,
        headers,
        body: parsed.body,
        files: parsed.files.map(({ filename, contentType, bytes }) => ({ filename, contentType, bytes })),
        status: result.status,
        response: result.body,
        at: Date.now(),
      });
      if (result.status === 204) {
        res.writeHead(204).end();
        return;
      }
      sendJson(res, result.status, result.body ?? {}, extraHeaders);
    },
  };
}
