/** Machine-readable error codes of the public contract (docs/api.md). */
export type ErrorCode =
  | "malformed"
  | "window_closed"
  | "not_found"
  | "unknown_code"
  | "too_large"
  | "unsupported_media_type"
  | "invalid"
  | "misconfigured"
  | "upgrade_required"
  | "busy"
  | "rate_limited"
  | "unauthorized"
  | "forbidden_origin"
  | "forbidden_role"
  | "conflict_of_interest"
  | "blind_judging"
  | "no_submission"
  | "no_prizes_left"
  | "not_awarded"
  | "below_awarded"
  | "hold_expired"
  | "already_shipped"
  | "no_address"
  | "nothing_to_resend"
  | "not_failed"
  | "finished"
  | "banned"
  | "disqualified"
  | "already_disqualified"
  | "not_disqualified"
  | "address_taken"
  | "nothing_to_review"
  | "content_changed"
  | "submissions_open"
  | "not_draft"
  | "announcement_running"
  | "unsubscribe_unavailable"
  | "nothing_to_cancel"
  | "internal";

export type FieldErrors = Record<string, string>;

/**
 * An error the client may see: status, public code and message, and (never sent) a private
 * reason for the log. Anything else thrown is logged and answered with a bare 500 (see
 * respondToError).
 */
export class HttpError extends Error {
  /** What operators need to know and clients must not (logged, never answered). */
  reason: string | undefined;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
    /** Sent with the answer, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "HttpError";
  }

  /** Adds the private reason, for the log. */
  because(reason: string): this {
    this.reason = reason;
    return this;
  }
}
