import type { SlackIdentity } from "./slack-identity.ts";
import type { SlackMessageStore } from "./slack-message-store.ts";

/** The shared state a Web API method handler reads and changes. */

export interface FileUpload {
  fileId: string;
  filename: string;
  /** The byte length announced to files.getUploadURLExternal. */
  length: number;
  uploadUrl: string;
  /** Bytes POSTed to the upload URL; undefined until then. */
  bytes: Buffer | undefined;
  /** Content-Type of the upload POST (WebClient sends multipart/form-data). */
  contentType: string | undefined;
  completed: boolean;
  title: string | undefined;
  channel: string | undefined;
  threadTs: string | undefined;
  initialComment: string | undefined;
}

export interface SlackUser {
  id: string;
  name: string;
  real_name?: string;
  is_bot?: boolean;
  tz?: string;
  email?: string;
  [field: string]: unknown;
}

export interface SlackMethodContext {
  identity: SlackIdentity;
  store: SlackMessageStore;
  uploads: Map<string, FileUpload>;
  users: Map<string, SlackUser>;
  /** Where files.getUploadURLExternal sends the client for the raw bytes. */
  uploadUrlFor(fileId: string): string;
}

export type SlackArgs = Record<string, unknown>;
export type SlackResult = { ok: boolean; [field: string]: unknown };
/** Facts about how the arguments arrived, for checks that depend on the encoding. */
export interface SlackRequestMeta {
  /** Form fields that should have carried JSON but did not parse. */
  invalidJsonFields: string[];
}

export type SlackMethodHandler = (
  args: SlackArgs,
  context: SlackMethodContext,
  meta: SlackRequestMeta,
) => SlackResult;

export function slackError(error: string, extra: Record<string, unknown> = {}): SlackResult {
  return { ok: false, error, ...extra };
}

/** Form-encoded arguments arrive as strings; JSON bodies may carry numbers or booleans. */
export function stringArg(args: SlackArgs, name: string): string | undefined {
  const value = args[name];
  if (typeof value === "string") return value.length > 0 ? value : undefined;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}
