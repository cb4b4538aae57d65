import type { ServerResponse } from "node:http";
import path from "node:path";

/** Shapes and helpers of the fake Sprites API that are not routes. */

/** Every request the fake saw, so tests can prove what never travelled (a secret in a URL). */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface FakeSpritesFaults {
  /** The next N creations answer 429 (Retry-After: 1). */
  rateLimitCreates: number;
  /** The next N exec connections are cut once their command has started. */
  dropExecs: number;
  /** The next restore streams an `error` line with this text instead of restoring. */
  restoreError: string | undefined;
  /** The next checkpoint streams an `error` line with this text. */
  checkpointError: string | undefined;
  /** After a restore the Sprite answers exec with 503 for this long (restore is asynchronous). */
  restoreUnavailableMs: number;
  /** Answer a taken name with this status (the docs say 400; 409 is the usual). */
  existsStatus: 400 | 409;
}

export /** The filesystem API resolves `path` against `workingDir`. */
function resolveFsPath(query: URLSearchParams): string {
  return path.posix.resolve(query.get("workingDir") ?? "/", query.get("path") ?? "");
}

export function startNdjson(res: ServerResponse) {
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  const line = (event: object) =>
    res.write(`${JSON.stringify({ ...event, time: new Date().toISOString() })}\n`);
  return {
    info: (data: string) => line({ type: "info", data }),
    error: (error: string) => line({ type: "error", error }),
    complete: (data: string) => line({ type: "complete", data }),
    end: () => {
      res.end();
    },
  };
}
