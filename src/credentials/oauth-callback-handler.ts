import type { IncomingMessage, ServerResponse } from "node:http";
import type { CompleteLinkResult, OAuthLinking } from "./oauth-linking.ts";
import { callbackPathPattern } from "./oauth-linking.ts";

export type LinkedAccount = Extract<CompleteLinkResult, { ok: true }>;

export interface OAuthCallbackHandlerOptions {
  linking: Pick<OAuthLinking, "completeLink">;
  /** Confirm in chat ("Linked GitHub as @alice"). Runs after the page is sent; errors go to onError. */
  onLinked?: (account: LinkedAccount) => void | Promise<void>;
  /** For logs: the code and failure kind, never the URL (it holds the authorization code). */
  onError?: (error: unknown) => void;
}

/**
 * `GET /oauth/<provider>/callback`, for any node:http-style server (Bolt `customRoutes`). Answers a
 * small page and never echoes the query: the code and state stay out of the page, and
 * `Referrer-Policy: no-referrer` keeps them out of any later request.
 */
export function createOAuthCallbackHandler(
  options: OAuthCallbackHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(options, req, res);
  };
}

async function handle(options: OAuthCallbackHandlerOptions, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://callback.invalid");
  if (!callbackPathPattern.test(url.pathname)) return page(res, 404, "Not found", "There is nothing here.");
  if (req.method !== "GET") return page(res, 405, "Method not allowed", "Open this link in a browser.");
  const abort = new AbortController();
  res.once("close", () => abort.abort());
  let result: CompleteLinkResult;
  try {
    result = await options.linking.completeLink(url, { signal: abort.signal });
  } catch (error) {
    options.onError?.(error);
    return page(
      res,
      502,
      "Linking failed",
      "The account could not be linked right now. Try again from the chat in a minute.",
    );
  }
  if (!result.ok) {
    options.onError?.({ code: result.code });
    return page(res, 400, "Linking failed", result.message);
  }
  const who = result.login ? ` as @${result.login}` : "";
  page(res, 200, "Linked", `Linked ${result.displayName}${who} — you can close this tab.`);
  try {
    await options.onLinked?.(result);
  } catch (error) {
    options.onError?.(error);
  }
}

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · threadhands</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'",
    "x-content-type-options": "nosniff",
  });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
