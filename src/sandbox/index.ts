// Embedded sandbox upstream: a local, faithful stand-in for PACE's user API
// (POST /user/otp and GET /user/pin-or-password), used by the tests and by `npm start`.
export { createSandboxServer, startSandbox, PATH_PREFIX } from './server.js';
export type { RecordedRequest, RunningSandbox, SandboxOptions } from './server.js';
export { DEMO } from './users.js';
