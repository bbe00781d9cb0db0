/**
 * What an upstream answer means: a success value is returned; anything else is thrown, as a
 * ResultError the client switches on or an UpstreamBadResponseError. Decided by status first, then
 * by the JSON:API `code`.
 */
import {
  ForbiddenError,
  InvalidCredentialsError,
  InvalidInputError,
  MissingLinkedIdentityError,
  RateLimitedError,
  UnauthenticatedError,
  UpstreamBadResponseError,
  type FieldProblem,
} from '../errors.js';
import { GraphQLDateTime } from 'graphql-scalars';
import type { UpstreamResponse } from './client.js';
import { parseJsonApiErrors, pointerToInputPath, type JsonApiError } from './json-api.js';

export interface FailureContext {
  /** How this endpoint's 404 reads: PACE's SDKs treat a 404 from POST /user/otp as wrong credentials. */
  readonly notFoundIsInvalidCredentials: boolean;
  /** Values the client sent that must never be echoed back, even inside an upstream message. */
  readonly secrets?: readonly string[];
}

const MAX_FIELD_MESSAGE = 200;

/** Throws the error a non-success answer means. */
export function throwFailure(response: UpstreamResponse, context: FailureContext): never {
  throw failureOf(response, context);
}

function failureOf(response: UpstreamResponse, context: FailureContext): Error {
  const errors = parseJsonApiErrors(response.body);
  const errorId = errors.find((e) => e.id !== undefined)?.id ?? response.requestId;
  switch (response.status) {
    case 401:
      return errors.some((e) => e.code === 'missing-linked-identity')
        ? new MissingLinkedIdentityError(errorId)
        : new UnauthenticatedError(errorId);
    case 403:
      return new ForbiddenError(errorId);
    case 404:
      return context.notFoundIsInvalidCredentials ? new InvalidCredentialsError(errorId) : new UpstreamBadResponseError(404, errorId);
    case 422:
      return new InvalidInputError(fieldProblems(errors, context.secrets ?? []), errorId);
    case 429:
      return new RateLimitedError(parseRetryAfter(response.retryAfter));
    default:
      return new UpstreamBadResponseError(response.status, errorId);
  }
}

function fieldProblems(errors: readonly JsonApiError[], secrets: readonly string[]): FieldProblem[] {
  if (errors.length === 0) return [{ path: ['input'], message: 'The PACE API rejected the input.' }];
  return errors.map((error) => ({ path: pointerToInputPath(error.pointer), message: safeMessage(error, secrets) }));
}

/** The upstream's own words help the user fix a field, unless they echo a secret or run long. */
function safeMessage(error: JsonApiError, secrets: readonly string[]): string {
  const text = error.detail ?? error.title;
  if (text === undefined || text.length > MAX_FIELD_MESSAGE || echoes(text, secrets)) {
    return 'This value was rejected by the PACE API.';
  }
  return text;
}

/** Also an echo in another case or spacing ("Ab12 Cd" as "AB12CD", a PIN as "1 2 3 4", full-width digits). */
function echoes(text: string, secrets: readonly string[]): boolean {
  const folded = fold(text);
  return secrets.some((secret) => {
    const needle = fold(secret);
    return needle !== '' && folded.includes(needle);
  });
}

/** Compatibility forms folded (NFKC), lower case, without whitespace or invisible separators. */
function fold(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/[\s\u200b-\u200d\u2060\ufeff]+/gu, '');
}

/** Retry-After as delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), MAX_RETRY_AFTER); // GraphQL Int is 32-bit
  // An HTTP-date names its day and month; this keeps Date.parse from reading "-5" or "1.5" as dates.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.min(MAX_RETRY_AFTER, Math.max(0, Math.ceil((date - now) / 1000)));
}

const MAX_RETRY_AFTER = 2_147_483_647;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export interface Otp {
  readonly otp: string;
  readonly expiresAt: Date;
}

/** The 201 body of POST /user/otp, strictly: anything else is a bad response. */
export function otpFromResponse(response: UpstreamResponse): Otp {
  const body = response.body as { otp?: unknown; expiresAt?: unknown } | undefined;
  const otp = body?.otp;
  const expiresAt = body?.expiresAt;
  if (typeof otp === 'string' && otp !== '' && typeof expiresAt === 'string' && RFC3339.test(expiresAt)) {
    const date = realDate(expiresAt);
    if (date !== undefined) return { otp, expiresAt: date };
  }
  throw new UpstreamBadResponseError(response.status, response.requestId);
}

/**
 * The instant, if the string names one that exists: `new Date` rolls 2030-02-31 over to March 3rd,
 * graphql-scalars' DateTime (the scalar the schema answers with) checks each field of RFC 3339.
 */
function realDate(value: string): Date | undefined {
  try {
    const date = GraphQLDateTime.parseValue(value);
    return date instanceof Date && !Number.isNaN(date.getTime()) ? date : undefined;
  } catch {
    return undefined;
  }
}
