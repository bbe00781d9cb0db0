/**
 * Every error this gateway raises, and every code it answers with, in one module (after undici's
 * lib/core/errors.js): each class sets its own stable `name` and `code` in its body. Messages are
 * fixed strings: no PIN, password, OTP, token or upstream body ever reaches one. Codes are
 * SCREAMING_SNAKE_CASE without prefix, as GraphQL servers write `extensions.code`.
 *
 * Three families:
 * - ResultError: an answer the client switches on; the schema exposes each as a union member named
 *   by its `typeName` (also the request log's `result`).
 * - CodedError (UpstreamError…): a dependency failed us; the gateway's maskError turns it into a
 *   top-level GraphQL error with `extensions.code` (and `errorId`), see presentCodedError in ./gateway.ts.
 * - Request errors (REQUEST_ERROR_CODES): the request itself is refused before execution.
 * And ConfigError, for the operator at start-up.
 */
import { createGraphQLError } from 'graphql-yoga';
import type { ASTNode, GraphQLError } from 'graphql';

export abstract class ResultError extends Error {
  /** The union member's name (before any GRAPHQL_TYPE_PREFIX), e.g. `InvalidCredentials`. */
  static readonly typeName: string;

  get typeName(): string {
    return (this.constructor as typeof ResultError).typeName;
  }
}

/** The PIN or password is wrong (PACE answers 404). */
export class InvalidCredentialsError extends ResultError {
  static override readonly typeName = 'InvalidCredentials';
  override readonly name = 'InvalidCredentialsError';
  constructor(readonly errorId?: string) {
    super('The PIN or password is not valid for this account.');
  }
}

/** The account must first sign in with / authorise a third-party identity (401 missing-linked-identity). */
export class MissingLinkedIdentityError extends ResultError {
  static override readonly typeName = 'MissingLinkedIdentity';
  override readonly name = 'MissingLinkedIdentityError';
  constructor(readonly errorId?: string) {
    super('The account has no linked identity: the user must log in with the linked third-party identity first.');
  }
}

/** No usable bearer token, a token that fails verification, or the upstream refused it (401). */
export class UnauthenticatedError extends ResultError {
  static override readonly typeName = 'Unauthenticated';
  override readonly name = 'UnauthenticatedError';
  constructor(readonly errorId?: string) {
    super('A valid access token is required: send "Authorization: Bearer <token>".');
  }
}

/** The token is valid but lacks the permission, e.g. the scope user:otp:create (403). */
export class ForbiddenError extends ResultError {
  static override readonly typeName = 'Forbidden';
  override readonly name = 'ForbiddenError';
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
  static override readonly typeName = 'InvalidInput';
  override readonly name = 'InvalidInputError';
  constructor(
    readonly fields: readonly FieldProblem[],
    readonly errorId?: string,
  ) {
    super('The input is not valid.');
  }
}

/** Too many attempts; `retryAfterSeconds` when known. */
export class RateLimitedError extends ResultError {
  static override readonly typeName = 'RateLimited';
  override readonly name = 'RateLimitedError';
  constructor(readonly retryAfterSeconds?: number) {
    super('Too many attempts. Wait before trying again.');
  }
}

export type CodedErrorCode = 'UPSTREAM_BAD_RESPONSE' | 'UPSTREAM_UNAVAILABLE' | 'UPSTREAM_TIMEOUT' | 'RATE_LIMIT_UNAVAILABLE' | 'AUTH_UNAVAILABLE';

interface CodedErrorOptions {
  /** The upstream's error id, for PACE support: reaches the client. */
  readonly errorId?: string | undefined;
  /** What went wrong underneath: for logs, never for the client. */
  readonly cause?: unknown;
}

/** A failure of the gateway's dependencies: a top-level GraphQL error with `extensions.code`. */
export abstract class CodedError extends Error {
  abstract readonly code: CodedErrorCode;
  readonly errorId: string | undefined;

  constructor(message: string, { errorId, cause }: CodedErrorOptions = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.errorId = errorId;
  }

  /** What the client sees in `extensions`. */
  get extensions(): { code: CodedErrorCode; errorId?: string } {
    return this.errorId === undefined ? { code: this.code } : { code: this.code, errorId: this.errorId };
  }
}

/** The PIN guard's store (Redis) cannot answer, or has not taken an outcome of the account yet: the guard fails closed. */
export class RateLimitStoreUnavailableError extends CodedError {
  override readonly name = 'RateLimitStoreUnavailableError';
  readonly code = 'RATE_LIMIT_UNAVAILABLE';
  constructor(cause?: unknown) {
    super('The service is temporarily unable to check credentials. Try again later.', { cause });
  }
}

/** The identity provider's key set (PACE_TOKEN_ISSUER's, or PACE_JWKS_URL) cannot be loaded: tokens cannot be verified. Safe to retry. */
export class AuthUnavailableError extends CodedError {
  override readonly name = 'AuthUnavailableError';
  readonly code = 'AUTH_UNAVAILABLE';
  constructor(cause?: unknown) {
    super('The service is temporarily unable to verify access tokens. Try again later.', { cause });
  }
}

/**
 * Why the identity provider's discovery document or key set could not be used (logged, the cause of an
 * AuthUnavailableError). `reason` groups them in the log; the message names no token or key material.
 */
export class KeySetError extends Error {
  override readonly name = 'KeySetError';
  readonly code = 'KEY_SET_UNUSABLE';
  constructor(
    readonly reason: 'DISCOVERY_FAILED' | 'ISSUER_MISMATCH' | 'FETCH_FAILED' | 'NO_USABLE_KEYS',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The upstream could not give a usable answer. */
export abstract class UpstreamError extends CodedError {
  /** Upstream HTTP status, when one arrived (for logs and metrics, not for the client). */
  readonly status: number | undefined;
  /**
   * Whether the upstream may have received the request (and checked the credentials in it): false
   * only when the client knows nothing was sent (connect refused, still queued). The PIN guard counts
   * a check the upstream may have received.
   */
  readonly requestSent: boolean;

  constructor(message: string, options: CodedErrorOptions & { readonly status?: number | undefined; readonly requestSent?: boolean } = {}) {
    super(message, options);
    this.status = options.status;
    this.requestSent = options.requestSent ?? true;
  }
}

/** Any answer we cannot map: 5xx, 406/415, an unknown status, a malformed or oversized body. */
export class UpstreamBadResponseError extends UpstreamError {
  override readonly name = 'UpstreamBadResponseError';
  readonly code = 'UPSTREAM_BAD_RESPONSE';
  constructor(status?: number, errorId?: string) {
    super('The PACE API gave an unexpected answer. Try again later.', { status, errorId });
  }
}

/** The upstream could not be reached, or the connection broke. */
export class UpstreamUnavailableError extends UpstreamError {
  override readonly name = 'UpstreamUnavailableError';
  readonly code = 'UPSTREAM_UNAVAILABLE';
  constructor(cause?: unknown, requestSent = true) {
    super('The PACE API is unreachable. Try again later.', { cause, requestSent });
  }
}

/** The upstream did not answer within UPSTREAM_TIMEOUT_MS. */
export class UpstreamTimeoutError extends UpstreamError {
  override readonly name = 'UpstreamTimeoutError';
  readonly code = 'UPSTREAM_TIMEOUT';
  constructor(cause?: unknown, requestSent = true) {
    super('The PACE API did not answer in time. Try again later.', { cause, requestSent });
  }
}

/**
 * What a root field came to, as the request log, the metrics and the spans name it: the union member
 * of a ResultError (its typeName), a coded error's code, or INTERNAL_SERVER_ERROR.
 */
export function resultName(error: unknown): string {
  if (error instanceof ResultError) return error.typeName;
  if (error instanceof CodedError) return error.code;
  return 'INTERNAL_SERVER_ERROR';
}

const FAILURE_RESULTS: ReadonlySet<string> = new Set<CodedErrorCode | 'INTERNAL_SERVER_ERROR'>([
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'RATE_LIMIT_UNAVAILABLE',
  'AUTH_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
]);

/** Whether a result means a dependency (or the gateway) failed; union members are answers, not failures. */
export function isFailureResult(result: string): boolean {
  return FAILURE_RESULTS.has(result);
}

/** Codes of requests refused before execution (`extensions.code`). */
export const REQUEST_ERROR_CODES = {
  /** The body is over MAX_REQUEST_BODY_BYTES (413). */
  REQUEST_ENTITY_TOO_LARGE: 'REQUEST_ENTITY_TOO_LARGE',
  /** The HTTP request is malformed, e.g. an invalid Content-Length (400). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The document is not valid GraphQL, or over the token, field or alias limits (400). */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** The variables hold more keys and list items than any operation here needs (400). */
  VARIABLES_TOO_LARGE: 'VARIABLES_TOO_LARGE',
  /** More than one createOtp in one operation: each is a credential check. */
  TOO_MANY_CREDENTIAL_CHECKS: 'TOO_MANY_CREDENTIAL_CHECKS',
  /** Trusted documents: the id is not in the list (Apollo's persisted-query link knows this code). */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Trusted documents: a document id is required (400). */
  PERSISTED_QUERY_ID_REQUIRED: 'PERSISTED_QUERY_ID_REQUIRED',
  /** Trusted documents: only listed documents run (400). */
  PERSISTED_QUERY_ONLY: 'PERSISTED_QUERY_ONLY',
} as const;

export type RequestErrorCode = keyof typeof REQUEST_ERROR_CODES;

/** A refused request: a GraphQL error with its code, and an HTTP status when it is not 200. */
export function requestError(code: RequestErrorCode, message: string, options: { readonly status?: number; readonly nodes?: ASTNode } = {}): GraphQLError {
  return createGraphQLError(message, {
    ...(options.nodes && { nodes: options.nodes }),
    extensions: options.status === undefined ? { code } : { code, http: { status: options.status } },
  });
}

/** An invalid environment: every problem at once, so an operator fixes a deployment in one round trip. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
