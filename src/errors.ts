/**
 * The one error base. Expected outcomes (a non-zero exit, a user who has not linked an account)
 * are values, not exceptions; an AppError is for what went wrong. Errors are translated at the
 * edges: the chat sees `message`, logs see `code` and `cause`.
 */
export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
