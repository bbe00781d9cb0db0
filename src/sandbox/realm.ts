/**
 * The sandbox's identity-provider endpoints, where a Keycloak realm `pace` has them (PACE ID is one):
 * the key set, the OpenID Connect discovery document, userinfo, and a sandbox-only key rotation.
 * Keycloak's login, token and logout endpoints are named in the discovery document but not served:
 * the sandbox hands out its tokens directly (DEMO, RunningSandbox.tokens).
 */
import type { HandlerSettings, ReceivedRequest } from './handlers.js';
import { tokenOfAuthorization } from './negotiation.js';
import { errorReply, jsonReply, plainTextReply, type Reply } from './replies.js';
import { DEFAULT_KEEP_PREVIOUS_MS, REALM_PATH } from './tokens.js';
import { APP_SCOPES } from './users.js';

const OIDC = `${REALM_PATH}/protocol/openid-connect`;

export const REALM_ROUTES = {
  keySet: `${OIDC}/certs`,
  discovery: `${REALM_PATH}/.well-known/openid-configuration`,
  userInfo: `${OIDC}/userinfo`,
  /** Sandbox only (Keycloak rotates through its admin console): `POST`, `?keepPreviousSeconds=N` (default 600). */
  rotateKey: `${REALM_PATH}/sandbox/rotate-key`,
} as const;

/** `GET …/protocol/openid-connect/certs`: the published keys, retired ones included until they go. */
export function handleKeySet(_request: ReceivedRequest, { tokens }: HandlerSettings): Reply {
  return jsonReply(200, tokens.jwks(), { 'Cache-Control': 'no-cache' });
}

/** `GET …/.well-known/openid-configuration`, with Keycloak's endpoint names. */
export function handleDiscovery(_request: ReceivedRequest, { tokens }: HandlerSettings): Reply {
  const issuer = tokens.issuer;
  const origin = issuer.slice(0, -REALM_PATH.length);
  return jsonReply(200, {
    issuer,
    authorization_endpoint: `${origin}${OIDC}/auth`,
    token_endpoint: `${origin}${OIDC}/token`,
    userinfo_endpoint: `${origin}${REALM_ROUTES.userInfo}`,
    end_session_endpoint: `${origin}${OIDC}/logout`,
    jwks_uri: `${origin}${REALM_ROUTES.keySet}`,
    grant_types_supported: ['authorization_code', 'refresh_token', 'password', 'client_credentials'],
    response_types_supported: ['code', 'none', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'],
    subject_types_supported: ['public', 'pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    userinfo_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt'],
    scopes_supported: [...new Set(['openid', 'profile', 'email', ...APP_SCOPES.split(' ')])],
    claims_supported: ['aud', 'sub', 'iss', 'auth_time', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'acr', 'azp', 'scope', 'typ'],
    code_challenge_methods_supported: ['plain', 'S256'],
  });
}

/** `GET …/protocol/openid-connect/userinfo`: the bearer's `sub`, as Keycloak answers a valid access token. */
export async function handleUserInfo(request: ReceivedRequest, { tokens }: HandlerSettings): Promise<Reply> {
  const token = tokenOfAuthorization(request.headers.authorization);
  const claims = token === undefined ? undefined : await tokens.verify(token);
  if (claims === undefined) return plainTextReply(401, 'Unauthorized');
  return jsonReply(200, { sub: claims['sub'] });
}

/** `POST …/sandbox/rotate-key`: a new signing key; the previous ones stay published for keepPreviousSeconds. */
export function handleRotateKey(request: ReceivedRequest, { tokens }: HandlerSettings): Reply {
  const raw = request.query.get('keepPreviousSeconds');
  const seconds = raw === null ? DEFAULT_KEEP_PREVIOUS_MS / 1000 : Number(raw);
  if (raw !== null && (!/^\d+$/.test(raw) || seconds > 86_400)) {
    return errorReply(422, 'invalid-parameter', 'Invalid parameter', 'keepPreviousSeconds must be an integer from 0 to 86400');
  }
  const kid = tokens.rotate(seconds * 1000);
  return jsonReply(200, { kid, keys: tokens.jwks().keys.map((key) => key['kid']) });
}
