import type { IncomingMessage, ServerResponse } from "node:http";
import { flattenHeaders, sendJson, startServer } from "../http-server.ts";
import { pollUntil, type WaitForOptions } from "../wait-for.ts";
import { chatMethods } from "./chat-methods.ts";
import { describeSlackState } from "./describe-slack-state.ts";
import { fileUploadMethods } from "./file-upload-methods.ts";
import { parseSlackBody } from "./parse-slack-body.ts";
import { DEFAULT_SLACK_IDENTITY, type SlackIdentity } from "./slack-identity.ts";
import {
  createSlackMessageStore,
  type NewMessage,
  type StoredEphemeral,
  type StoredMessage,
} from "./slack-message-store.ts";
import type {
  FileUpload,
  SlackArgs,
  SlackMethodContext,
  SlackMethodHandler,
  SlackResult,
  SlackUser,
} from "./slack-method-context.ts";
import { workspaceMethods } from "./workspace-methods.ts";

/**
 * A Slack Web API stand-in that @slack/web-api (and so Bolt) talks to over real HTTP via
 * `slackApiUrl`. It answers like Slack (HTTP 200 with `ok:false` for API errors, 429 with
 * Retry-After for rate limits), keeps a per-channel message store and records every call.
 */

export interface FakeSlackOptions {
  botUserId?: string;
  botId?: string;
  teamId?: string;
  appId?: string;
  /** When set, only this exact token is accepted; otherwise any `xoxb-`/`xoxp-` token is. */
  token?: string;
  users?: SlackUser[];
}

export interface SlackApiCall {
  method: string;
  /** Decoded arguments (JSON fields such as `blocks` parsed), without the token. */
  args: SlackArgs;
  headers: Record<string, string>;
  encoding: string;
  token: string | undefined;
  status: number;
  response: SlackResult;
  at: number;
}

export interface UnexpectedSlackCall {
  path: string;
  reason: string;
  args: SlackArgs;
}

export interface SlackFault {
  /** HTTP status; defaults to 429 when retryAfter is set, else 200 (an `ok:false` answer). */
  status?: number;
  /** Seconds for the Retry-After header of a 429. */
  retryAfter?: number;
  /** The `error` code of the answer; default "ratelimited" for 429, "internal_error" otherwise. */
  error?: string;
  /** How many consecutive calls to fail; default 1. */
  times?: number;
}

export interface ResponseUrlPost {
  path: string;
  body: unknown;
}

export interface FakeSlack {
  /** `http://127.0.0.1:<port>/api/`, the value for SLACK_API_URL / `slackApiUrl`. */
  readonly url: string;
  readonly identity: SlackIdentity;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly calls: SlackApiCall[];
  readonly unexpectedCalls: UnexpectedSlackCall[];
  readonly uploads: FileUpload[];
  /** Bodies POSTed to response URLs handed out by `responseUrl()` (Bolt's `respond()`). */
  readonly responseUrlPosts: ResponseUrlPost[];
  /** A response_url served by this fake, for block_actions payloads. */
  responseUrl(): string;
  callsTo(method: string): SlackApiCall[];
  messages(channel: string): StoredMessage[];
  thread(channel: string, threadTs: string): StoredMessage[];
  ephemerals(channel: string): StoredEphemeral[];
  /** Seeds a message a human wrote (e.g. the mention), so conversations.replies can return it. */
  addMessage(channel: string, message: NewMessage): StoredMessage;
  addUser(user: SlackUser): void;
  failNext(method: string, fault?: SlackFault): void;
  /** Adds or replaces a method; for the rare test that needs one this fake does not model. */
  handle(method: string, handler: SlackMethodHandler): void;
  waitFor<T>(
    predicate: (fake: FakeSlack) => T | undefined | null | false,
    options?: WaitForOptions,
  ): Promise<T>;
  waitForCall(
    method: string,
    predicate?: (call: SlackApiCall) => boolean,
    options?: WaitForOptions,
  ): Promise<SlackApiCall>;
  waitForMessage(
    channel: string,
    predicate: (message: StoredMessage) => boolean,
    options?: WaitForOptions,
  ): Promise<StoredMessage>;
  assertNoUnexpectedCalls(): void;
  close(): Promise<void>;
}

const TOKEN_SHAPE = /^xox[bp]-[A-Za-z0-9-]+$/;
const GRANTED_SCOPES = "app_mentions:read,channels:history,chat:write,files:write,reactions:write,users:read";

export async function createFakeSlackWebApi(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const identity: SlackIdentity = {
    ...DEFAULT_SLACK_IDENTITY,
    ...(options.botUserId ? { botUserId: options.botUserId } : {}),
    ...(options.botId ? { botId: options.botId } : {}),
    ...(options.teamId ? { teamId: options.teamId } : {}),
    ...(options.appId ? { appId: options.appId } : {}),
  };
  const store = createSlackMessageStore();
  const handlers = new Map<string, SlackMethodHandler>(
    Object.entries({ ...workspaceMethods, ...chatMethods, ...fileUploadMethods }),
  );
  const faults = new Map<string, SlackFault[]>();
  const calls: SlackApiCall[] = [];
  const unexpectedCalls: UnexpectedSlackCall[] = [];
  const responseUrlPosts: ResponseUrlPost[] = [];
  let responseUrlCount = 0;
  let baseUrl = "";
  const context: SlackMethodContext = {
    identity,
    store,
    uploads: new Map(),
    users: new Map(),
    uploadUrlFor: (fileId) => `${baseUrl}/upload/v1/${fileId}`,
  };
  context.users.set(identity.botUserId, { id: identity.botUserId, name: identity.botName, is_bot: true });
  for (const user of options.users ?? []) context.users.set(user.id, user);

  const tokenProblem = (token: string | undefined): string | undefined => {
    if (!token) return "not_authed";
    if (options.token !== undefined ? token !== options.token : !TOKEN_SHAPE.test(token))
      return "invalid_auth";
    return undefined;
  };

  const takeFault = (method: string): SlackFault | undefined => {
    const queue = faults.get(method);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    const remaining = (fault.times ?? 1) - 1;
    if (remaining > 0) queue[0] = { ...fault, times: remaining };
    else queue.shift();
    return fault;
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, body: Buffer, method: string) => {
    const headers = flattenHeaders(req);
    const query = new URL(req.url ?? "/", "http://fake").searchParams;
    const parsed = await parseSlackBody(headers["content-type"], body);
    const args: SlackArgs = { ...Object.fromEntries(query), ...parsed.args };
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
    const token = bearer ?? (typeof args.token === "string" ? args.token : undefined);
    delete args.token;
    const record = (status: number, response: SlackResult, extraHeaders: Record<string, string> = {}) => {
      calls.push({
        method,
        args,
        headers,
        encoding: parsed.encoding,
        token,
        status,
        response,
        at: Date.now(),
      });
      sendJson(res, status, response, { "x-oauth-scopes": GRANTED_SCOPES, ...extraHeaders });
    };

    const handler = handlers.get(method);
    if (!handler) {
      unexpectedCalls.push({ path: req.url ?? "", reason: `unknown method ${method}`, args });
      return record(200, { ok: false, error: "unknown_method" });
    }
    const fault = takeFault(method);
    if (fault) {
      const status = fault.status ?? (fault.retryAfter !== undefined ? 429 : 200);
      const error = fault.error ?? (status === 429 ? "ratelimited" : "internal_error");
      const retryHeaders: Record<string, string> =
        status === 429 ? { "retry-after": String(fault.retryAfter ?? 1) } : {};
      return record(status, { ok: false, error }, retryHeaders);
    }
    const authError = tokenProblem(token);
    if (authError) return record(200, { ok: false, error: authError });
    record(200, handler(args, context, { invalidJsonFields: parsed.invalidJsonFields }));
  };

  // Step 2 of files.uploadV2: WebClient POSTs multipart/form-data (the bytes as a file part);
  // other clients send the raw bytes. Slack answers a plain-text "OK - <size>".
  const handleUpload = async (req: IncomingMessage, res: ServerResponse, body: Buffer, fileId: string) => {
    const upload = context.uploads.get(fileId);
    if (!upload || req.method !== "POST") {
      unexpectedCalls.push({ path: req.url ?? "", reason: "upload to unknown file id", args: {} });
      res.writeHead(404, { "content-type": "text/plain" }).end("file not found");
      return;
    }
    const parsed = await parseSlackBody(req.headers["content-type"], body);
    upload.contentType = req.headers["content-type"];
    upload.bytes = parsed.encoding === "multipart" ? (parsed.parts[0]?.bytes ?? Buffer.alloc(0)) : body;
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(`OK - ${upload.bytes.length}`);
  };

  const started = await startServer(async (req, res, body) => {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const api = /^\/api\/([A-Za-z0-9._]+)$/.exec(path);
    if (api?.[1]) return handleApi(req, res, body, api[1]);
    const upload = /^\/upload\/v1\/([A-Z0-9]+)$/.exec(path);
    if (upload?.[1]) return handleUpload(req, res, body, upload[1]);
    if (path.startsWith("/actions/") && req.method === "POST") {
      const parsed = await parseSlackBody(req.headers["content-type"], body);
      responseUrlPosts.push({ path, body: parsed.args });
      return sendJson(res, 200, { ok: true });
    }
    unexpectedCalls.push({ path: req.url ?? "", reason: `no such path (${req.method})`, args: {} });
    sendJson(res, 404, { ok: false, error: "unknown_method" });
  });
  baseUrl = `http://127.0.0.1:${started.port}`;

  const fake: FakeSlack = {
    url: `${baseUrl}/api/`,
    identity,
    botUserId: identity.botUserId,
    botId: identity.botId,
    teamId: identity.teamId,
    calls,
    unexpectedCalls,
    responseUrlPosts,
    responseUrl: () =>
      `${baseUrl}/actions/${identity.teamId}/${++responseUrlCount}/${Date.now().toString(36)}`,
    get uploads() {
      return [...context.uploads.values()];
    },
    callsTo: (method) => calls.filter((call) => call.method === method),
    messages: (channel) => store.messages(channel),
    thread: (channel, threadTs) => store.thread(channel, threadTs),
    ephemerals: (channel) => store.ephemerals(channel),
    addMessage: (channel, message) => store.add(channel, message),
    addUser: (user) => void context.users.set(user.id, user),
    failNext(method, fault = { retryAfter: 1 }) {
      const queue = faults.get(method) ?? [];
      queue.push(fault);
      faults.set(method, queue);
    },
    handle: (method, handler) => void handlers.set(method, handler),
    waitFor: (predicate, waitOptions) =>
      pollUntil(
        () => predicate(fake),
        () => describeSlackState(calls, store, unexpectedCalls),
        waitOptions,
      ),
    waitForCall: (method, predicate = () => true, waitOptions) =>
      fake.waitFor((f) => f.callsTo(method).find(predicate), {
        description: `a ${method} call`,
        ...waitOptions,
      }),
    waitForMessage: (channel, predicate, waitOptions) =>
      fake.waitFor((f) => f.messages(channel).find(predicate), {
        description: `a message in ${channel}`,
        ...waitOptions,
      }),
    assertNoUnexpectedCalls() {
      if (unexpectedCalls.length === 0) return;
      const lines = unexpectedCalls.map(
        (call) => `- ${call.reason} (${call.path}) ${JSON.stringify(call.args)}`,
      );
      throw new Error(`fake Slack received unexpected calls:\n${lines.join("\n")}`);
    },
    close: () => started.close(),
  };
  return fake;
}
