/**
 * A typed createOtp client in plain TypeScript: `fetch`, the result types GraphQL Code Generator
 * generated from schema.graphql (codegen.ts -> examples/gql/), and an exhaustive `switch` on
 * `__typename`. Copy it into an app with your own codegen run.
 *
 * `npm test` type-checks this file and test/typed-client.http.test.ts runs it against the gateway.
 * Try it against `npm start` (the token and PIN are the ones it prints):
 *
 *   TOKEN=... PIN=1234 npx tsx examples/typed-client.ts [http://localhost:4000/graphql]
 */
import { print } from 'graphql';
import type { CreateOtpInput, CreateOtpMutation } from './gql/graphql.js';
import { CreateOtpDocument } from './operations.js';

export type { CreateOtpInput };

/** The operation's text (examples/operations.ts): every member of `CreateOtpResult`. */
export const CREATE_OTP = print(CreateOtpDocument);

/** `union CreateOtpResult`, as selected by CREATE_OTP: generated, never written by hand. */
export type CreateOtpResult = CreateOtpMutation['createOtp'];

/** `type FieldError`, as selected. */
export type FieldError = Extract<CreateOtpResult, { __typename: 'InvalidInput' }>['fields'][number];

/** `extensions.code` of a top-level error when a dependency of the gateway failed. */
export type GatewayErrorCode = 'UPSTREAM_UNAVAILABLE' | 'UPSTREAM_TIMEOUT' | 'UPSTREAM_BAD_RESPONSE' | 'RATE_LIMIT_UNAVAILABLE' | 'AUTH_UNAVAILABLE';
const RETRYABLE: ReadonlySet<string> = new Set<GatewayErrorCode>(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE', 'RATE_LIMIT_UNAVAILABLE', 'AUTH_UNAVAILABLE']);

/** No `createOtp` result: PACE or the gateway failed, or the request itself was refused. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    message: string,
    /** `extensions.code`, when the gateway gave one (see GatewayErrorCode). */
    readonly code: string | undefined,
    /** PACE's error id, for PACE support. */
    readonly errorId: string | undefined,
    /** The HTTP status of the gateway's answer. */
    readonly status: number,
  ) {
    super(message);
  }

  /** Worth trying again after a pause (never in a tight loop). */
  get retryable(): boolean {
    return this.code !== undefined && RETRYABLE.has(this.code);
  }
}

interface GraphQLResponseBody {
  readonly data?: { readonly createOtp?: CreateOtpResult } | null;
  readonly errors?: readonly { readonly message: string; readonly extensions?: { readonly code?: string; readonly errorId?: string } }[];
}

/**
 * Sends createOtp with the user's PACE access token. Returns the union member, or throws
 * GatewayError when there is none. Never logs: the result may hold an OTP.
 */
export async function createOtp(endpoint: string, accessToken: string, input: CreateOtpInput): Promise<CreateOtpResult> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${accessToken}`,
    },
    body: JSON.stringify({ query: CREATE_OTP, variables: { input } }),
  });
  let body: GraphQLResponseBody;
  try {
    body = (await response.json()) as GraphQLResponseBody;
  } catch {
    throw new GatewayError(`The gateway answered ${response.status} without a GraphQL body.`, undefined, undefined, response.status);
  }
  const result = body.data?.createOtp;
  if (result) return result;
  const [error] = body.errors ?? [];
  throw new GatewayError(error?.message ?? 'No createOtp result.', error?.extensions?.code, error?.extensions?.errorId, response.status);
}

/** What the app does next: one case per union member. */
export type NextStep =
  | { readonly kind: 'use-otp'; readonly otp: string; readonly expiresAt: Date }
  | { readonly kind: 'ask-again'; readonly message: string }
  | { readonly kind: 'link-identity'; readonly message: string }
  | { readonly kind: 'log-in-again'; readonly message: string }
  | { readonly kind: 'configuration-problem'; readonly message: string; readonly errorId: string | null }
  | { readonly kind: 'fix-fields'; readonly message: string; readonly fields: readonly FieldError[] }
  | { readonly kind: 'wait'; readonly message: string; readonly seconds: number | null };

/**
 * The exhaustive switch: a new member in `CreateOtpResult` makes `assertNever` fail to compile
 * until it has a case.
 */
export function nextStep(result: CreateOtpResult): NextStep {
  switch (result.__typename) {
    case 'Otp':
      return { kind: 'use-otp', otp: result.otp, expiresAt: new Date(result.expiresAt) };
    case 'InvalidCredentials':
      return { kind: 'ask-again', message: result.message };
    case 'MissingLinkedIdentity':
      return { kind: 'link-identity', message: result.message };
    case 'Unauthenticated':
      return { kind: 'log-in-again', message: result.message };
    case 'Forbidden':
      return { kind: 'configuration-problem', message: result.message, errorId: result.errorId };
    case 'InvalidInput':
      return { kind: 'fix-fields', message: result.message, fields: result.fields };
    case 'RateLimited':
      return { kind: 'wait', message: result.message, seconds: result.retryAfterSeconds };
    default:
      return assertNever(result); // a new union member is a compile error until it has a case
  }
}

function assertNever(value: never): never {
  throw new Error(`Unexpected createOtp result: ${JSON.stringify(value)}`);
}

// `npx tsx examples/typed-client.ts`: one call, the next step printed (the OTP masked).
const script = typeof process === 'undefined' ? undefined : process.argv[1];
if (script !== undefined && import.meta.url === new URL(script, 'file://').href) {
  const endpoint = process.argv[2] ?? 'http://localhost:4000/graphql';
  const token = process.env['TOKEN'] ?? '';
  const pin = process.env['PIN'];
  const password = process.env['PASSWORD'];
  const input: CreateOtpInput = { ...(pin === undefined ? {} : { pin }), ...(password === undefined ? {} : { password }) };
  const step = nextStep(await createOtp(endpoint, token, input));
  console.log(step.kind === 'use-otp' ? { ...step, otp: `${step.otp.slice(0, 1)}*****` } : step);
}
