/** The credentials query: GET /user/pin-or-password, once per request whatever the selection. */
import DataLoader from 'dataloader';
import { bearerAuthorization, bearerToken } from '../auth.js';
import { upstreamCall, type GatewayContext } from '../context.js';
import { recordResult } from '../observability/request-state.js';
import { ForbiddenError, MissingLinkedIdentityError, UnauthenticatedError } from '../errors.js';
import { pinOrPassword, type CredentialKinds } from '../upstream/operations.js';
import type { Builder, TypeNamer } from './builder.js';

// One loader per request, made on first use (most requests never ask), dropped with the request.
const loaders = new WeakMap<Request, DataLoader<string, CredentialKinds>>();

function credentialsLoader(context: GatewayContext): DataLoader<string, CredentialKinds> {
  let loader = loaders.get(context.request);
  if (loader === undefined) {
    // Errors are returned as values, so every alias gets the same typed failure.
    loader = new DataLoader(
      (authorizations) =>
        Promise.all(
          authorizations.map((authorization) =>
            pinOrPassword(context.pace, upstreamCall(context, authorization)).catch((error: unknown) =>
              error instanceof Error ? error : new Error(String(error)),
            ),
          ),
        ),
      { cache: true },
    );
    loaders.set(context.request, loader);
  }
  return loader;
}

/**
 * Declares `credentials` and its result union. `@authenticated` lets a router with JWT
 * authentication refuse an anonymous call before calling us; the resolver still answers
 * `Unauthenticated` itself, so the subgraph is safe without such a router.
 */
export function defineCredentials(builder: Builder, named: TypeNamer): void {
  const CredentialsType = builder.objectRef<CredentialKinds>(named('Credentials')).implement({
    description: 'Which credentials the user has set: ask for a PIN or a password before calling `createOtp`.',
    shareable: true,
    fields: (t) => ({
      pin: t.exposeBoolean('pin', { description: 'The user has a PIN.' }),
      password: t.exposeBoolean('password', { description: 'The user has a password.' }),
    }),
  });

  builder.queryField('credentials', (t) =>
    t.field({
      type: CredentialsType,
      description:
        'Whether the user has a PIN and/or a password, so a client knows what to ask for. ' +
        'Needs `Authorization: Bearer <PACE access token>`.',
      authenticated: true,
      errors: {
        types: [UnauthenticatedError, MissingLinkedIdentityError, ForbiddenError],
        union: { name: named('CredentialsResult'), description: 'The credential kinds, or why they cannot be read.' },
      },
      resolve: (_root, _args, context) => recordResult(context.requestState, 'Credentials', loadCredentials(context)),
    }),
  );
}

async function loadCredentials(context: GatewayContext): Promise<CredentialKinds> {
  const authorization = bearerAuthorization(context.request.headers.get('authorization'));
  await context.callers.identify(bearerToken(authorization)); // a token that fails verification never reaches PACE
  return credentialsLoader(context).load(authorization);
}
