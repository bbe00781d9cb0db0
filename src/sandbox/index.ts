// Embedded sandbox upstream: a local, faithful stand-in for PACE's user API
// (POST /user/otp and GET /user/pin-or-password) and its identity provider (a Keycloak realm `pace`),
// used by the tests and by `npm start`.
export { createSandboxServer, startEmbeddedSandbox, startSandbox, EMBEDDED_SANDBOX_PORT, PATH_PREFIX } from './server.js';
export { REALM_ROUTES } from './realm.js';
export { DEFAULT_SANDBOX_PORT, issuerOf, REALM_PATH, SANDBOX_ISSUER, SANDBOX_TOKENS, TokenIssuer, type TokenClaims } from './tokens.js';
export type { RecordedRequest, RunningSandbox, SandboxOptions } from './server.js';
export { APP_SCOPES, DEMO } from './users.js';
