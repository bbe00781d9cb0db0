/** The createOtp mutation: token check -> caller (verified when configured) -> input check -> PIN guard -> POST /user/otp -> Otp or a typed error. */
import { bearerAuthorization, bearerToken, CREATE_OTP_SCOPE } from '../auth.js';
import { upstreamCall, type GatewayContext } from '../context.js';
import { recordResult } from '../observability/request-state.js';
import { ForbiddenError, InvalidInputError, type FieldProblem } from '../errors.js';
import type { Otp } from '../upstream/mapping.js';
import { createOtp, type OtpCredentials } from '../upstream/operations.js';
import type { Builder, TypeNamer } from './builder.js';
import { CREATE_OTP_ERRORS } from './errors.js';

/** Far beyond any real PIN or password; keeps absurd payloads away from the upstream. */
export const MAX_CREDENTIAL_BYTES = 1024;

/**
 * Declares `createOtp`, its input and its result union. `@requiresScopes` lets a router with JWT
 * authentication refuse a token without the scope before calling us; the resolver still checks
 * (PACE answers `Forbidden`), so the subgraph is safe without such a router.
 */
export function defineCreateOtp(builder: Builder, named: TypeNamer): void {
  const CreateOtpInput = builder.inputType(named('CreateOtpInput'), {
    description: 'The credential to check. Give the PIN, the password, or both (the password is checked first); at least one must be non-empty.',
    fields: (t) => ({
      pin: t.string({ required: false, description: "The user's PIN. Its format is checked by PACE, not here." }),
      password: t.string({ required: false, description: "The user's account password." }),
    }),
  });

  const OtpType = builder.objectRef<Otp>(named('Otp')).implement({
    description: 'A one-time password, to set a new PIN or authorise a payment. It is a credential: never log or store it.',
    shareable: true,
    fields: (t) => ({
      otp: t.exposeString('otp', { description: 'The one-time password.' }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the OTP stops being accepted.' }),
    }),
  });

  builder.mutationField('createOtp', (t) =>
    t.field({
      type: OtpType,
      description:
        "Checks the user's PIN or password with PACE and returns a one-time password, or a typed failure. " +
        `Needs \`Authorization: Bearer <PACE access token>\` with the scope \`${CREATE_OTP_SCOPE}\`.`,
      requiresScopes: [[CREATE_OTP_SCOPE]],
      args: { input: t.arg({ type: CreateOtpInput, required: true, description: 'The PIN and/or password to check.' }) },
      errors: {
        types: CREATE_OTP_ERRORS,
        union: { name: named('CreateOtpResult'), description: 'The OTP, or why there is none.' },
      },
      resolve: (_root, { input }, context) => recordResult(context.requestState, 'Otp', checkAndCreate(context, input)),
    }),
  );
}

async function checkAndCreate(context: GatewayContext, input: OtpInput): Promise<Otp> {
  const authorization = bearerAuthorization(context.request.headers.get('authorization'));
  const caller = await context.callers.identify(bearerToken(authorization));
  // Known only for a token verified here; otherwise PACE checks the scope.
  if (caller.scopes !== undefined && !caller.scopes.has(CREATE_OTP_SCOPE)) throw new ForbiddenError();
  const credentials = otpCredentials(input);
  return context.pinGuard.guard(caller.account, () => createOtp(context.pace, upstreamCall(context, authorization), credentials), context.requestState);
}

interface OtpInput {
  readonly pin?: string | null | undefined;
  readonly password?: string | null | undefined;
}

/** Only the non-empty fields go upstream; size is bounded, format is PACE's business. */
export function otpCredentials(input: OtpInput): OtpCredentials {
  const problems: FieldProblem[] = [];
  const credentials: { pin?: string; password?: string } = {};
  for (const field of ['pin', 'password'] as const) {
    const value = input[field];
    if (value === null || value === undefined || value === '') continue;
    if (Buffer.byteLength(value) > MAX_CREDENTIAL_BYTES) {
      problems.push({ path: ['input', field], message: `Must be at most ${MAX_CREDENTIAL_BYTES} bytes.` });
    }
    credentials[field] = value;
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  if (credentials.pin === undefined && credentials.password === undefined) {
    throw new InvalidInputError([{ path: ['input'], message: 'Give a non-empty pin or password.' }]);
  }
  return credentials;
}
