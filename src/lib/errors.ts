/**
 * The one error type of LeadsBoost. Services throw it with a stable `code`; only the HTTP layer maps codes to
 * statuses (see `httpStatusOf`). `message` is written for the person reading the API answer.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  confirmation_required: 400,
  invalid_token: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_mfa_code: 401,
  invalid_signature: 401,
  email_not_verified: 403,
  forbidden: 403,
  csrf_failed: 403,
  mfa_enrolment_required: 403,
  not_found: 404,
  email_taken: 409,
  already_member: 409,
  conflict: 409,
  meta_not_connected: 409,
  meta_reconnect_required: 409,
  policy_version_not_current: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  account_locked: 429,
  rate_limited: 429,
  internal: 500,
  meta_unavailable: 502,
  unavailable: 503,
  meta_not_configured: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  /** Seconds the client should wait before retrying (rate limits, lock-outs). */
  readonly retryAfter?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: ErrorDetail[]; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

export const notFound = (what = 'This item') => new AppError('not_found', `${what} was not found.`);
export const forbidden = (message = 'Your role does not allow this action.') => new AppError('forbidden', message);
