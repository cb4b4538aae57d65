import { createHmac, randomBytes } from "node:crypto";
import { DEFAULT_SLACK_IDENTITY, VERIFICATION_TOKEN } from "./slack-identity.ts";

export { appMentionEvent, botMessageEvent, channelMessageEvent, freshTs } from "./event-builders.ts";
export { blockActionsPayload } from "./interaction-builders.ts";

/**
 * Requests as Slack sends them to an app's Request URL, signed with the app's signing secret:
 * `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:<timestamp>:<raw body>"))` and
 * `X-Slack-Request-Timestamp: <unix seconds>`. Bolt rejects anything else.
 */

export interface SignedResponse {
  status: number;
  /** The raw response body. */
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  headers: Record<string, string>;
}

export interface SignOptions {
  /** Unix seconds; set an old one to test replay protection. Defaults to now. */
  timestamp?: number;
  /** Sign with a wrong secret, so the receiver must reject the request. */
  badSignature?: boolean;
  headers?: Record<string, string>;
}

export interface EventOptions extends SignOptions {
  eventId?: string;
  teamId?: string;
  appId?: string;
  /** The bot user listed in `authorizations`. */
  botUserId?: string;
  eventTime?: number;
  /** Marks a redelivery: adds X-Slack-Retry-Num (and X-Slack-Retry-Reason). */
  retryNum?: number;
  retryReason?: string;
}

export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  options: SignOptions = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secret = options.badSignature ? `${signingSecret}-wrong` : signingSecret;
  return {
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": slackSignature(secret, timestamp, rawBody),
  };
}

/** POSTs a raw body with Slack's signature headers and the headers Slack's deliveries carry. */
export async function postSigned(
  url: string,
  signingSecret: string,
  rawBody: string,
  contentType: string,
  options: SignOptions = {},
): Promise<SignedResponse> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": contentType,
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      ...signSlackRequest(signingSecret, rawBody, options),
      ...options.headers,
    },
    body: rawBody,
  });
  const body = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: response.status, body, json, headers: Object.fromEntries(response.headers) };
}

export function newEventId(): string {
  return `Ev${randomBytes(6).toString("hex").toUpperCase().slice(0, 10)}`;
}

/** The `event_callback` envelope around an inner event, as the Events API delivers it. */
export function eventCallbackEnvelope(event: Record<string, unknown>, options: EventOptions = {}) {
  const teamId = options.teamId ?? DEFAULT_SLACK_IDENTITY.teamId;
  const appId = options.appId ?? DEFAULT_SLACK_IDENTITY.appId;
  const eventTime = options.eventTime ?? Math.floor(Date.now() / 1000);
  return {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: appId,
    event,
    type: "event_callback",
    event_id: options.eventId ?? newEventId(),
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: options.botUserId ?? DEFAULT_SLACK_IDENTITY.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: teamId, aid: appId })).toString("base64url")}`,
  };
}

export async function postSlackEvent(
  url: string,
  signingSecret: string,
  event: Record<string, unknown>,
  options: EventOptions = {},
): Promise<SignedResponse> {
  const retryHeaders: Record<string, string> =
    options.retryNum !== undefined
      ? {
          "x-slack-retry-num": String(options.retryNum),
          "x-slack-retry-reason": options.retryReason ?? "http_timeout",
        }
      : {};
  const body = JSON.stringify(eventCallbackEnvelope(event, options));
  return postSigned(url, signingSecret, body, "application/json", {
    ...options,
    headers: { ...retryHeaders, ...options.headers },
  });
}

/** Interactivity: Slack sends `application/x-www-form-urlencoded` with one field, `payload=<json>`. */
export async function postSlackInteraction(
  url: string,
  signingSecret: string,
  payload: Record<string, unknown>,
  options: SignOptions = {},
): Promise<SignedResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSigned(url, signingSecret, body, "application/x-www-form-urlencoded", options);
}

/** The handshake Slack sends when the Request URL is saved; the app must echo `challenge`. */
export async function postUrlVerification(
  url: string,
  signingSecret: string,
  options: SignOptions & { challenge?: string } = {},
): Promise<SignedResponse> {
  const challenge = options.challenge ?? randomBytes(24).toString("base64url");
  const body = JSON.stringify({ token: VERIFICATION_TOKEN, challenge, type: "url_verification" });
  return postSigned(url, signingSecret, body, "application/json", options);
}
