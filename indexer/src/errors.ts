/**
 * Every error the indexer raises on purpose says who is at fault and whether trying again can help.
 * Callers branch on these two bits (HTTP status, retry loops, daemon supervision) instead of on
 * message text.
 */
export type ErrorKind = "caller" | "bug" | "upstream";

export class MeritError extends Error {
  /** `caller`: bad input or config, fix the input; `bug`: an invariant broke; `upstream`: RPC/DB trouble. */
  readonly kind: ErrorKind;
  /** Whether the same call may succeed later without any change (network, rate limit, lock). */
  readonly retryable: boolean;
  readonly code: string;

  constructor(code: string, message: string, opts: { kind: ErrorKind; retryable?: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = opts.kind;
    this.retryable = opts.retryable ?? false;
  }
}

/** Bad input or configuration: never retried, reported back to whoever sent it. */
export class CallerError extends MeritError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { kind: "caller", retryable: false, cause });
  }
}

/** A broken invariant inside merit: never retried, always logged loudly. */
export class BugError extends MeritError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { kind: "bug", retryable: false, cause });
  }
}

/** A dependency (RPC, database) failed; `retryable` says whether backing off and retrying may help. */
export class UpstreamError extends MeritError {
  constructor(code: string, message: string, retryable: boolean, cause?: unknown) {
    super(code, message, { kind: "upstream", retryable, cause });
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof MeritError && err.retryable;
}
