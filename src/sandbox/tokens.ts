import { createHmac } from 'node:crypto';

// The sandbox recognises its demo tokens by exact string (see users.ts), it never verifies
// signatures. Tokens are still real JWTs so the gateway can read `sub` and `scope` from them.
// The HMAC key is public on purpose: it only makes the strings deterministic across runs.
const SANDBOX_SIGNING_KEY = 'pace-otp-sandbox (not a secret)';
const ISSUED_AT = 1_704_067_200; // 2024-01-01T00:00:00Z
const EXPIRES_AT = 4_102_444_800; // 2100-01-01T00:00:00Z: demo tokens never expire in practice

export interface DemoTokenClaims {
  sub: string;
  scope: string; // space-separated OAuth scopes, as in PACE's access tokens
}

export function demoToken({ sub, scope }: DemoTokenClaims): string {
  const header = { alg: 'HS256', typ: 'JWT', kid: 'pace-otp-sandbox' };
  const payload = { iss: 'pace-otp-sandbox', azp: 'pace-otp-sandbox', sub, scope, iat: ISSUED_AT, exp: EXPIRES_AT };
  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`;
  const signature = createHmac('sha256', SANDBOX_SIGNING_KEY).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
