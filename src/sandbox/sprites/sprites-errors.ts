import { parseAPIError } from "@fly/sprites";
import { AppError, isAbortError } from "../../errors.ts";

/**
 * Turns a Sprites API answer into an AppError. The message names the operation and what the API
 * said, never the URL: the SDK's own errors carry the exec URL, and with it anything in its query.
 */
export function apiFailure(operation: string, status: number, body: string, headers: Headers): AppError {
  const parsed = parseAPIError(status, body.slice(0, 2000), Object.fromEntries(headers.entries()));
  const said = parsed?.message ?? `status ${status}`;
  const message = `Sprites ${operation} failed (${status}): ${said}`;
  if (status === 429) {
    const retryAfter = parsed?.getRetryAfterSeconds();
    return new SpritesError("sprites_rate_limited", message, {
      retryable: true,
      status,
      retryAfterSeconds: retryAfter,
    });
  }
  if (status === 401 || status === 403) return new SpritesError("sprites_unauthorized", message, { status });
  if (status === 404) return new SpritesError("sprite_not_found", message, { status });
  if (status >= 500) return new SpritesError("sprites_unavailable", message, { retryable: true, status });
  return new SpritesError("sprites_request_failed", message, { status });
}

/** A fetch that never reached an answer: the caller's abort passes through untouched. */
export function transportFailure(
  operation: string,
  error: unknown,
  signal: AbortSignal | undefined,
): unknown {
  if (signal?.aborted) return signal.reason;
  if (isAbortError(error)) {
    return new SpritesError("sprites_timeout", `Sprites ${operation} timed out`, {
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof AppError) return error;
  const reason =
    error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : "";
  return new SpritesError("sprites_unreachable", `Sprites API unreachable during ${operation}: ${reason}`, {
    retryable: true,
    cause: error,
  });
}

export class SpritesError extends AppError {
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: string,
    message: string,
    options: { retryable?: boolean; cause?: unknown; status?: number; retryAfterSeconds?: number } = {},
  ) {
    super(code, message, options);
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
