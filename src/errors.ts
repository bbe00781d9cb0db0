/**
 * Every error this gateway raises, one module (after undici's lib/core/errors.js): each class has a
 * stable `name` and `code`. Messages are fixed strings: no PIN, password, OTP, token or upstream body
 * ever reaches one.
 *
 * Two families:
 * - ResultError: an answer the client switches on; the schema exposes each as a CreateOtpResult member.
 * - CodedError (UpstreamError…): a dependency failed us; the gateway's maskError turns it into a
 *   top-level GraphQL error with `extensions.code` (and `errorId`), see presentCodedError in ./gateway.ts.
 */
export abstract class ResultError extends Error {
  abstract readonly code: string;
}

/** The PIN or password is wrong (PACE answers 404). */
export class InvalidCredentialsError extends ResultError {
  override readonly name = 'InvalidCredentialsError';
  readonly code = 'INVALID_CREDENTIALS';
  constructor(readonly errorId?: string) {
    super('The PIN or password is not valid for this account.');
  }
}

/** The account must first sign in with / authorise a third-party identity (401 missing-linked-identity). */
export class MissingLinkedIdentityError extends ResultError {
  override readonly name = 'MissingLinkedIdentityError';
  readonly code = 'MISSING_LINKED_IDENTITY';
  constructor(readonly errorId?: string) {
    super('The account has no linked identity: the user must log in with the linked third-party identity first.');
  }
}

/** No usable bearer token, or the upstream refused it (401). */
export class UnauthenticatedError extends ResultError {
  override readonly name = 'UnauthenticatedError';
  readonly code = 'UNAUTHENTICATED';
  constructor(
    readonly errorId?: string,
    message = 'A valid access token is required: send "Authorization: Bearer <token>".',
  ) {
    super(message);
  }
}

/** The token is valid but lacks the permission, e.g. the scope user:otp:create (403). */
export class ForbiddenError extends ResultError {
  override readonly name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
  constructor(readonly errorId?: string) {
    super('The access token is not allowed to do this (missing scope?).');
  }
}

export interface FieldProblem {
  readonly path: readonly string[];
  readonly message: string;
}

/** The input is unusable, found by the gateway or by the upstream (422). */
export class InvalidInputError extends ResultError {
  override readonly name = 'InvalidInputError';
  readonly code = 'INVALID_INPUT';
  constructor(
    readonly fields: readonly FieldProblem[],
    readonly errorId?: string,
  ) {
    super('The input is not valid.');
  }
}

/** Too many attempts; `retryAfterSeconds` when known. */
export class RateLimitedError extends ResultError {
  override readonly name = 'RateLimitedError';
  readonly code = 'RATE_LIMITED';
  constructor(readonly retryAfterSeconds?: number) {
    super('Too many attempts. Wait before trying again.');
  }
}

export type CodedErrorCode = 'UPSTREAM_BAD_RESPONSE' | 'UPSTREAM_UNAVAILABLE' | 'UPSTREAM_TIMEOUT' | 'RATE_LIMIT_UNAVAILABLE' | 'AUTH_UNAVAILABLE';

/** A failure of the gateway's dependencies: a top-level GraphQL error with `extensions.code`. */
export abstract class CodedError extends Error {
  constructor(
    message: string,
    readonly code: CodedErrorCode,
    readonly errorId: string | undefined,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }

  /** What the client sees in `extensions`. */
  get extensions(): { code: CodedErrorCode; errorId?: string } {
    return this.errorId === undefined ? { code: this.code } : { code: this.code, errorId: this.errorId };
  }
}

/** The failure-count store (Redis) is unreachable: the PIN guard fails closed. */
export class RateLimitStoreUnavailableError extends CodedError {
  override readonly name = 'RateLimitStoreUnavailableError';
  constructor(cause?: unknown) {
    super('The service is temporarily unable to check credentials. Try again later.', 'RATE_LIMIT_UNAVAILABLE', undefined, cause);
  }
}

/** The identity provider's key set (PACE_JWKS_URL) cannot be loaded: tokens cannot be verified. Safe to retry. */
export class AuthUnavailableError extends CodedError {
  override readonly name = 'AuthUnavailableError';
  constructor(cause?: unknown) {
    super('The service is temporarily unable to verify access tokens. Try again later.', 'AUTH_UNAVAILABLE', undefined, cause);
  }
}

/** The upstream could not give a usable answer. */
export abstract class UpstreamError extends CodedError {
  constructor(
    message: string,
    code: CodedErrorCode,
    /** Upstream HTTP status, when one arrived (for logs and metrics, not for the client). */
    readonly status: number | undefined,
    errorId: string | undefined,
    cause?: unknown,
  ) {
    super(message, code, errorId, cause);
  }
}

/** Any answer we cannot map: 5xx, 406/415, an unknown status, a malformed or oversized body. */
export class UpstreamBadResponseError extends UpstreamError {
  override readonly name = 'UpstreamBadResponseError';
  constructor(status?: number, errorId?: string) {
    super('The PACE API gave an unexpected answer. Try again later.', 'UPSTREAM_BAD_RESPONSE', status, errorId);
  }
}

/** The upstream could not be reached, or the connection broke. */
export class UpstreamUnavailableError extends UpstreamError {
  override readonly name = 'UpstreamUnavailableError';
  constructor(cause?: unknown) {
    super('The PACE API is unreachable. Try again later.', 'UPSTREAM_UNAVAILABLE', undefined, undefined, cause);
  }
}

/** The upstream did not answer within UPSTREAM_TIMEOUT_MS. */
export class UpstreamTimeoutError extends UpstreamError {
  override readonly name = 'UpstreamTimeoutError';
  constructor(cause?: unknown) {
    super('The PACE API did not answer in time. Try again later.', 'UPSTREAM_TIMEOUT', undefined, undefined, cause);
  }
}
