import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * A caller's mistake, answered as `{error, message, field?}` with a 4xx status by the app's one
 * `onError`. Routes throw it (or a `CallerError`, mapped by code); anything else is a bug and
 * becomes a 500 carrying only the request id.
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    /** Stable machine-readable code, e.g. `unknown_wallet`, `bad_request`, `rate_limited`. */
    readonly error: string,
    message: string,
    /** The input field at fault, e.g. `address` or `query.limit`. */
    readonly field?: string,
  ) {
    super(status, { message });
    this.name = "ApiError";
  }
}

/** The JSON body of every 4xx/5xx answer. */
export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  requestId?: string;
}
