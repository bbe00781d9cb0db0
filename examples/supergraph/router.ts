/**
 * The router's configuration: Hive Gateway (`@graphql-hive/gateway-runtime`) in front of this
 * subgraph and its neighbours, enforcing the subgraph's `@authenticated` and `@requiresScopes` with
 * the identity provider's key set before a subgraph is asked. docs/supergraph.md shows it as it is;
 * `npm run supergraph` (./start.ts) and test/router-auth.federation.test.ts run it.
 */
// #region router
import type { GatewayConfigSupergraph } from '@graphql-hive/gateway-runtime';
import { createRemoteJwksSigningKeyProvider, extractFromHeader, useJWT } from '@graphql-yoga/plugin-jwt';

export interface RouterOptions {
  /** The composed supergraph SDL (or a path to it). */
  readonly supergraph: string;
  /** The identity provider's key set, e.g. https://id.pace.cloud/auth/realms/pace/protocol/openid-connect/certs */
  readonly jwksUrl: string;
  /** The `iss` every token must carry, e.g. https://id.pace.cloud/auth/realms/pace */
  readonly issuer: string;
  /** This subgraph's name in the supergraph: the only one that gets the caller's PACE token. */
  readonly paceOtpSubgraph?: string;
}

interface TokenClaims {
  readonly sub?: string;
  /** Keycloak's space-separated scopes, e.g. "openid user:otp:create". */
  readonly scope?: string;
}

export function routerConfig({ supergraph, jwksUrl, issuer, paceOtpSubgraph = 'pace-otp' }: RouterOptions): GatewayConfigSupergraph {
  return {
    supergraph,
    propagateHeaders: {
      // The PACE token goes to this subgraph only (it sends it on to PACE), with the request id and trace context.
      fromClientToSubgraphs: ({ request, subgraphName }) =>
        subgraphName === paceOtpSubgraph
          ? {
              authorization: request.headers.get('authorization'),
              'x-request-id': request.headers.get('x-request-id'),
              traceparent: request.headers.get('traceparent'),
            }
          : undefined,
    },
    plugins: () => [
      useJWT({
        signingKeyProviders: [createRemoteJwksSigningKeyProvider({ jwksUri: jwksUrl })],
        tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
        // PACE ID (Keycloak) signs RS256; accept nothing else (never `none` or an HMAC algorithm).
        tokenVerification: { algorithms: ['RS256'], issuer },
        // No token: go on, and let @authenticated/@requiresScopes refuse what needs one. A bad token: 401.
        reject: { missingToken: false, invalidToken: true },
      }),
    ],
    genericAuth: {
      // Only the fields carrying @authenticated / @requiresScopes are protected, the rest stays open.
      mode: 'protect-granular',
      resolveUserFn: (context) => (context as { jwt?: { payload?: TokenClaims } }).jwt?.payload,
      // Called without a user too (no token): no scopes then.
      extractScopes: (user: TokenClaims | undefined) => (user?.scope ?? '').split(' ').filter(Boolean),
      rejectUnauthenticated: false,
    },
  };
}
// #endregion router
