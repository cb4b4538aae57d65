import type { FakeGateway } from "./discord-gateway.ts";
import type { FakeUser, StoredAttachment } from "./discord-payloads.ts";
import type { DiscordStore } from "./discord-store.ts";
import type { DiscordErrorBody } from "./discord-validation.ts";

/** What every REST route of the fake sees, and the shape of its answers. */

export interface ParsedRequest {
  method: string;
  /** Path below `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  files: StoredAttachment[];
  /** `Bot <token>` checked and accepted. */
  authorised: boolean;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface DiscordContext {
  store: DiscordStore;
  gateway: FakeGateway;
  botUser: FakeUser;
  applicationId: string;
  /** The REST base, `http://127.0.0.1:<port>/api`; attachment URLs hang below it. */
  baseUrl(): string;
  /** What `GET /gateway/bot` names: `ws://127.0.0.1:<port>/gateway`. */
  gatewayUrl(): string;
  userById(id: string): FakeUser | undefined;
}

export type Route = (
  request: ParsedRequest,
  params: string[],
  context: DiscordContext,
) => RouteResult | Promise<RouteResult>;

export const ok = (body: unknown, status = 200): RouteResult => ({ status, body });

export function discordError(
  status: number,
  code: number,
  message: string,
  errors?: Record<string, unknown>,
): RouteResult {
  const body: DiscordErrorBody = { code, message, ...(errors ? { errors } : {}) };
  return { status, body };
}

export const unknownMessage = () => discordError(404, 10008, "Unknown Message");
export const unknownChannel = () => discordError(404, 10003, "Unknown Channel");
