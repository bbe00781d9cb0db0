import { StoredSecret } from './secrets.js';
import { SANDBOX_TOKENS, type TokenIssuer } from './tokens.js';

export const SCOPE_CREATE_OTP = 'user:otp:create';
export const SCOPE_READ_USER = 'user:user:read';

// What PACE's apps request; the sandbox only checks the two scopes above.
export const APP_SCOPES = `openid ${SCOPE_CREATE_OTP} user:otp:verify ${SCOPE_READ_USER} user:pin:update`;
const NO_USER_SCOPES = 'openid profile';

const SUBS = {
  user: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a01',
  passwordOnly: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a02',
  unlinked: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a03',
  noScope: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a04',
} as const;

/**
 * The sandbox's demo accounts, their tokens signed by `tokens` (RS256, see tokens.ts). The tokens are
 * the same on every start for one issuer: fixed claims (even `jti`) under the fixed development key.
 * - user:         PIN and password, linked identity: createOtp works.
 * - passwordOnly: password but no PIN (pin-or-password => { pin: false, password: true }).
 * - unlinked:     lacks a linked identity: 401 `missing-linked-identity`.
 * - noScope:      token has neither `user:otp:create` nor `user:user:read`: 403 plain text.
 */
export function demoAccounts(tokens: TokenIssuer) {
  const demoAccount = <Secrets extends { readonly pin?: string; readonly password?: string }>(sub: string, scope: string, secrets: Secrets) =>
    ({ token: tokens.sign({ sub, scope, jti: `demo-${sub}` }), sub, ...secrets }) as const;
  return {
    user: demoAccount(SUBS.user, APP_SCOPES, { pin: '1234', password: 'sandbox-password-1' }),
    passwordOnly: demoAccount(SUBS.passwordOnly, APP_SCOPES, { password: 'sandbox-password-2' }),
    unlinked: demoAccount(SUBS.unlinked, APP_SCOPES, { pin: '5678', password: 'sandbox-password-3' }),
    noScope: demoAccount(SUBS.noScope, NO_USER_SCOPES, {}),
  } as const;
}

/** The demo accounts with tokens for SANDBOX_ISSUER, valid at every sandbox of this process (its upstream checks). */
export const DEMO = demoAccounts(SANDBOX_TOKENS);

export interface Account {
  sub: string;
  linkedIdentity: boolean;
  pin: StoredSecret | undefined;
  password: StoredSecret | undefined;
}

function account(sub: string, linkedIdentity: boolean, pin?: string, password?: string): Account {
  return {
    sub,
    linkedIdentity,
    pin: pin === undefined ? undefined : new StoredSecret(pin),
    password: password === undefined ? undefined : new StoredSecret(password),
  };
}

// `sub` -> account. A token is accepted when the sandbox's issuer signed it; its scopes are its own.
const ACCOUNTS_BY_SUB: ReadonlyMap<string, Account> = new Map(
  [
    account(DEMO.user.sub, true, DEMO.user.pin, DEMO.user.password),
    account(DEMO.passwordOnly.sub, true, undefined, DEMO.passwordOnly.password),
    account(DEMO.unlinked.sub, false, DEMO.unlinked.pin, DEMO.unlinked.password),
    account(DEMO.noScope.sub, true),
  ].map((entry) => [entry.sub, entry]),
);

export function findAccountBySub(sub: unknown): Account | undefined {
  return typeof sub === 'string' ? ACCOUNTS_BY_SUB.get(sub) : undefined;
}
