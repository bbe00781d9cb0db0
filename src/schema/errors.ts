/** The Error interface and the typed results a client switches on (classes in ../errors.ts). */
import {
  ForbiddenError,
  InvalidCredentialsError,
  InvalidInputError,
  MissingLinkedIdentityError,
  RateLimitedError,
  ResultError,
  UnauthenticatedError,
  type FieldProblem,
} from '../errors.js';
import { CREATE_OTP_SCOPE } from '../auth.js';
import type { Builder, TypeNamer } from './builder.js';

/** Every typed failure createOtp can answer with, in the union's order. */
export const CREATE_OTP_ERRORS = [
  InvalidCredentialsError,
  MissingLinkedIdentityError,
  UnauthenticatedError,
  ForbiddenError,
  InvalidInputError,
  RateLimitedError,
];

const errorIdField = 'The upstream error `id`, else its `Request-Id` header: give it to PACE support to find the request.';

/**
 * Declares the `Error` interface and one object type per error class. The object types are value
 * types (`@shareable`): a neighbour subgraph declaring the same shape composes beside them. The
 * interface stays `{ message: String! }`, the shape most neighbours' `Error` has.
 */
export function defineErrorTypes(builder: Builder, named: TypeNamer): void {
  const ErrorInterface = builder.interfaceRef<Error>(named('Error')).implement({
    description: `Shared by every typed failure: select \`... on ${named('Error')} { message }\` to show any of them.`,
    fields: (t) => ({
      message: t.exposeString('message', { description: 'A human-readable explanation, safe to show to the user.' }),
    }),
  });

  /** Error types that carry the upstream's error id. */
  const upstreamErrorType = (
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Pothos matches classes by `new (...args: any[])`
    errorClass: (new (...args: any[]) => ResultError & { readonly errorId?: string | undefined }) & { readonly typeName: string },
    description: string,
  ) =>
    builder.objectType(errorClass, {
      name: named(errorClass.typeName),
      description,
      shareable: true,
      interfaces: [ErrorInterface],
      isTypeOf: (value) => value instanceof errorClass,
      fields: (t) => ({
        errorId: t.string({ nullable: true, description: errorIdField, resolve: (error) => error.errorId ?? null }),
      }),
    });

  upstreamErrorType(
    InvalidCredentialsError,
    `The PIN or password is wrong. Ask the user to enter it again; repeated failures lead to \`${named(RateLimitedError.typeName)}\`.`,
  );
  upstreamErrorType(
    MissingLinkedIdentityError,
    'The account lacks a linked third-party identity: the user must log in / authorise with that identity first.',
  );
  upstreamErrorType(
    UnauthenticatedError,
    'The access token is missing, malformed, expired or revoked. Refresh it or log the user in again.',
  );
  upstreamErrorType(
    ForbiddenError,
    `The access token is valid but not allowed to do this (e.g. it lacks the scope \`${CREATE_OTP_SCOPE}\`).`,
  );

  const FieldErrorType = builder.objectRef<FieldProblem>(named('FieldError')).implement({
    description: 'One problem with one input field.',
    shareable: true,
    fields: (t) => ({
      path: t.stringList({ description: 'Path to the field, e.g. `["input", "pin"]`.', resolve: (problem) => [...problem.path] }),
      message: t.exposeString('message', { description: 'What is wrong with the field.' }),
    }),
  });

  builder.objectType(InvalidInputError, {
    name: named(InvalidInputError.typeName),
    description: 'The input cannot be used. Fix the fields listed and send again.',
    shareable: true,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof InvalidInputError,
    fields: (t) => ({
      fields: t.field({ type: [FieldErrorType], description: 'Each problem, with the path of its field.', resolve: (error) => [...error.fields] }),
      errorId: t.string({ nullable: true, description: errorIdField, resolve: (error) => error.errorId ?? null }),
    }),
  });

  builder.objectType(RateLimitedError, {
    name: named(RateLimitedError.typeName),
    description: 'Too many attempts. Wait `retryAfterSeconds` (when given) before trying again.',
    shareable: true,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof RateLimitedError,
    fields: (t) => ({
      retryAfterSeconds: t.int({
        nullable: true,
        description: 'Seconds to wait before the next attempt, when known.',
        resolve: (error) => error.retryAfterSeconds ?? null,
      }),
    }),
  });
}
