// Embedded sandbox upstream: a local, faithful stand-in for PACE's user API
// (POST /user/otp and GET /user/pin-or-password), used by the tests and by `npm start`.
export { createSandboxServer, startSandbox, JWKS_PATH, PATH_PREFIX } from './server.js';
export { SANDBOX_ISSUER, SANDBOX_TOKENS, TokenIssuer, type TokenClaims } from './tokens.js';
export type { RecordedRequest, RunningSandbox, SandboxOptions } from './server.js';
export { APP_SCOPES, DEMO } from './users.js';
