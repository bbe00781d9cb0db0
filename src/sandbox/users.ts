import { StoredSecret } from './secrets.js';
import { demoToken } from './tokens.js';

export const SCOPE_CREATE_OTP = 'user:otp:create';
export const SCOPE_READ_USER = 'user:user:read';

// What PACE's apps request; the sandbox only checks the two scopes above.
const APP_SCOPES = `openid ${SCOPE_CREATE_OTP} user:otp:verify ${SCOPE_READ_USER} user:pin:update`;
const NO_USER_SCOPES = 'openid profile';

const SUBS = {
  user: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a01',
  passwordOnly: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a02',
  unlinked: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a03',
  noScope: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a04',
} as const;

/**
 * The sandbox's demo accounts. Tokens are deterministic JWTs (stable across runs).
 * - user:         PIN and password, linked identity: createOtp works.
 * - passwordOnly: password but no PIN (pin-or-password => { pin: false, password: true }).
 * - unlinked:     lacks a linked identity: 401 `missing-linked-identity`.
 * - noScope:      token has neither `user:otp:create` nor `user:user:read`: 403 plain text.
 */
export const DEMO = {
  user: {
    token: demoToken({ sub: SUBS.user, scope: APP_SCOPES }),
    pin: '1234',
    password: 'sandbox-password-1',
    sub: SUBS.user,
  },
  passwordOnly: {
    token: demoToken({ sub: SUBS.passwordOnly, scope: APP_SCOPES }),
    password: 'sandbox-password-2',
    sub: SUBS.passwordOnly,
  },
  unlinked: {
    token: demoToken({ sub: SUBS.unlinked, scope: APP_SCOPES }),
    pin: '5678',
    password: 'sandbox-password-3',
    sub: SUBS.unlinked,
  },
  noScope: {
    token: demoToken({ sub: SUBS.noScope, scope: NO_USER_SCOPES }),
    sub: SUBS.noScope,
  },
} as const;

export interface Account {
  sub: string;
  scopes: ReadonlySet<string>;
  linkedIdentity: boolean;
  pin: StoredSecret | undefined;
  password: StoredSecret | undefined;
}

function account(sub: string, scope: string, linkedIdentity: boolean, pin?: string, password?: string): Account {
  return {
    sub,
    scopes: new Set(scope.split(/\s+/).filter(Boolean)),
    linkedIdentity,
    pin: pin === undefined ? undefined : new StoredSecret(pin),
    password: password === undefined ? undefined : new StoredSecret(password),
  };
}

// Token string -> account. Only these exact strings are accepted as access tokens.
const ACCOUNTS_BY_TOKEN: ReadonlyMap<string, Account> = new Map([
  [DEMO.user.token, account(DEMO.user.sub, APP_SCOPES, true, DEMO.user.pin, DEMO.user.password)],
  [DEMO.passwordOnly.token, account(DEMO.passwordOnly.sub, APP_SCOPES, true, undefined, DEMO.passwordOnly.password)],
  [DEMO.unlinked.token, account(DEMO.unlinked.sub, APP_SCOPES, false, DEMO.unlinked.pin, DEMO.unlinked.password)],
  [DEMO.noScope.token, account(DEMO.noScope.sub, NO_USER_SCOPES, true)],
]);

export function findAccountByToken(token: string): Account | undefined {
  return ACCOUNTS_BY_TOKEN.get(token);
}
