/** The caller's bearer token, checked before anything goes upstream. */
import { UnauthenticatedError } from './errors.js';

/** The token scope PACE requires for POST /user/otp (and the subgraph's `@requiresScopes`). */
export const CREATE_OTP_SCOPE = 'user:otp:create';

// RFC 6750 b64token: also guarantees the value is a legal header value (no CR/LF/NUL, no spaces).
const BEARER = /^Bearer +[A-Za-z0-9\-._~+/]+=*$/i;

/**
 * The Authorization header to forward verbatim, or UnauthenticatedError when it is missing, empty,
 * not a Bearer token, or holds characters a header cannot carry.
 */
export function bearerAuthorization(header: string | null): string {
  if (header === null || !BEARER.test(header)) throw new UnauthenticatedError();
  return header;
}

/** The token alone (after "Bearer "), for keying per-account state. */
export function bearerToken(authorization: string): string {
  return authorization.slice(authorization.indexOf(' ')).trimStart();
}
