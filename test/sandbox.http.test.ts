import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, startSandbox, type RecordedRequest, type RunningSandbox } from '../src/sandbox/index.js';

const XID = /^[0-9a-v]{20}$/;
const JSON_API = 'application/vnd.api+json';

let sandbox: RunningSandbox;
const recorded: RecordedRequest[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ onRequest: (request) => recorded.push(request) });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  recorded.length = 0;
});

interface CallOptions {
  method?: string;
  token?: string | null; // null: no Authorization header
  headers?: Record<string, string>;
  body?: BodyInit;
}

function call(path: string, { method = 'GET', token = DEMO.user.token, headers = {}, body }: CallOptions = {}): Promise<Response> {
  const allHeaders: Record<string, string> = { ...headers };
  if (token !== null) allHeaders['authorization'] ??= `Bearer ${token}`;
  return fetch(`${sandbox.url}${path}`, { method, headers: allHeaders, ...(body === undefined ? {} : { body }) });
}

/** POST /user/otp the way the official clients do, with overridable pieces. */
function postOtp(body: unknown, options: Omit<CallOptions, 'body' | 'method'> = {}): Promise<Response> {
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
  return call('/user/otp', { ...options, method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

interface ErrorDocument {
  errors: { id: string; status: string; code: string; title: string; detail: string; source?: { pointer: string } }[];
}

async function expectErrors(response: Response, status: number): Promise<ErrorDocument['errors']> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe(JSON_API);
  const document = (await response.json()) as ErrorDocument;
  expect(document.errors.length).toBeGreaterThan(0);
  for (const error of document.errors) {
    expect(error.status).toBe(String(status));
    expect(error.id).toMatch(XID);
    expect(error.id).not.toBe(response.headers.get('request-id'));
  }
  return document.errors;
}

async function expectPlainText(response: Response, status: number, text: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  expect((await response.text()).trim()).toBe(text);
}

describe('demo accounts', () => {
  it('have stable, JWT-shaped tokens carrying sub and scope', () => {
    for (const account of Object.values(DEMO)) {
      const [header, payload, signature, ...rest] = account.token.split('.');
      expect(rest).toEqual([]);
      expect(signature).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toMatchObject({ typ: 'JWT' });
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
      expect(claims['sub']).toBe(account.sub);
      expect(typeof claims['scope']).toBe('string');
      expect(claims['exp']).toBeGreaterThan(Date.now() / 1000 + 10 * 365 * 24 * 3600);
    }
    const scope = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { scope: string }).scope.split(' ');
    expect(scope(DEMO.user.token)).toEqual(expect.arrayContaining(['user:otp:create', 'user:user:read']));
    expect(scope(DEMO.noScope.token)).not.toContain('user:otp:create');
    expect(scope(DEMO.noScope.token)).not.toContain('user:user:read');
  });

  it('are what the running sandbox exposes (tokens for its own issuer), under the production path prefix', () => {
    for (const [name, account] of Object.entries(sandbox.demo)) {
      expect({ ...account, token: undefined }).toEqual({ ...DEMO[name as keyof typeof DEMO], token: undefined });
      const claims = JSON.parse(Buffer.from(account.token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
      expect(claims['iss']).toBe(sandbox.issuer);
    }
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/user\/2024-1$/);
  });
});

describe('Request-Id', () => {
  it('is an xid on every response, fresh per request', async () => {
    const responses = await Promise.all([
      postOtp({ pin: DEMO.user.pin }),
      postOtp({ pin: DEMO.user.pin }, { token: 'not-a-known-token' }),
      call('/nowhere'),
    ]);
    const ids = responses.map((response) => response.headers.get('request-id'));
    for (const id of ids) expect(id).toMatch(XID);
    expect(new Set(ids).size).toBe(ids.length);
    await Promise.all(responses.map((response) => response.arrayBuffer()));
  });

  it('reuses a well-formed incoming Request-Id, as PACE does', async () => {
    const response = await postOtp({ pin: DEMO.user.pin }, { headers: { 'request-id': 'cbgmhslmp1o9or9kh1p0' } });
    expect(response.headers.get('request-id')).toBe('cbgmhslmp1o9or9kh1p0');
    const malformed = await postOtp({ pin: DEMO.user.pin }, { headers: { 'request-id': 'hello' } });
    expect(malformed.headers.get('request-id')).toMatch(XID);
    expect(malformed.headers.get('request-id')).not.toBe('hello');
  });
});

describe('POST /user/otp', () => {
  describe('1. authentication', () => {
    it('answers a missing Authorization header with a JSON:API 401', async () => {
      const [error] = await expectErrors(await postOtp({ pin: DEMO.user.pin }, { token: null }), 401);
      expect(error?.code).toBe('unauthorized');
    });

    it('answers a non-Bearer scheme with a JSON:API 401', async () => {
      const response = await postOtp({ pin: DEMO.user.pin }, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      const [error] = await expectErrors(response, 401);
      expect(error?.code).toBe('unauthorized');
    });

    it('answers an unknown Bearer token in plain text', async () => {
      await expectPlainText(await postOtp({ pin: DEMO.user.pin }, { token: 'eyJhbGciOiJub25lIn0.e30.' }), 401, 'Unauthorized');
    });
  });

  it('2. refuses a token without user:otp:create with a plain-text 403', async () => {
    await expectPlainText(await postOtp({ pin: '1234' }, { token: DEMO.noScope.token }), 403, 'Forbidden - requires scope user:otp:create');
  });

  describe('3. content negotiation', () => {
    it('refuses a Content-Type other than application/json with 415', async () => {
      await expectErrors(await postOtp({ pin: DEMO.user.pin }, { headers: { 'content-type': 'text/plain' } }), 415);
      await expectErrors(await postOtp({ pin: DEMO.user.pin }, { headers: { 'content-type': JSON_API } }), 415);
    });

    it('refuses a missing Content-Type with 415', async () => {
      const body = new TextEncoder().encode(JSON.stringify({ pin: DEMO.user.pin })); // fetch adds no type for bytes
      await expectErrors(await call('/user/otp', { method: 'POST', body }), 415);
    });

    it('accepts Content-Type parameters', async () => {
      const response = await postOtp({ pin: DEMO.user.pin }, { headers: { 'content-type': 'Application/JSON; charset=utf-8' } });
      expect(response.status).toBe(201);
    });

    it.each(['text/html', 'application/vnd.api+json', 'application/json;q=0, */*', 'text/*'])('refuses Accept: %s with 406', async (accept) => {
      await expectErrors(await postOtp({ pin: DEMO.user.pin }, { headers: { accept } }), 406);
    });

    it.each(['application/json', 'application/*', '*/*', 'text/html, application/json;q=0.9', 'text/html;q=1, */*;q=0.1'])(
      'accepts Accept: %s',
      async (accept) => {
        expect((await postOtp({ pin: DEMO.user.pin }, { headers: { accept } })).status).toBe(201);
      },
    );
  });

  it('4. answers a user without linked identity with 401 missing-linked-identity', async () => {
    const [error, ...others] = await expectErrors(await postOtp({ pin: DEMO.unlinked.pin }, { token: DEMO.unlinked.token }), 401);
    expect(others).toEqual([]);
    expect(error).toMatchObject({
      code: 'missing-linked-identity',
      title: 'Missing linked identity for authorized access',
      detail: 'Linked identity is needed to access this resource, please check why the user does not have a linked identity',
    });
  });

  describe('5. body validation', () => {
    it.each([
      ['invalid JSON', '{"pin":', ['/']],
      ['an empty body', '', ['/']],
      ['a JSON array', '["1234"]', ['/']],
      ['a JSON string', '"1234"', ['/']],
      ['a numeric pin', '{"pin":1234}', ['/pin']],
      ['a non-string password, valid pin', `{"pin":"${DEMO.user.pin}","password":true}`, ['/password']],
      ['both fields of the wrong type', '{"pin":[],"password":{}}', ['/pin', '/password']],
      ['neither field', '{}', ['/']],
      ['only empty strings', '{"pin":"","password":""}', ['/']],
      ['only nulls', '{"pin":null,"password":null}', ['/']],
    ])('answers %s with 422 and one pointer per problem', async (_name, body, pointers) => {
      const errors = await expectErrors(await postOtp(body), 422);
      expect(errors.map((error) => error.source?.pointer)).toEqual(pointers);
      expect(new Set(errors.map((error) => error.id)).size).toBe(errors.length);
    });

    it('answers a body over 64 KiB with 413', async () => {
      const body = JSON.stringify({ pin: DEMO.user.pin, padding: 'x'.repeat(64 * 1024) });
      await expectErrors(await postOtp(body), 413);
    });

    it('accepts a body of exactly 64 KiB', async () => {
      const prefix = JSON.stringify({ pin: DEMO.user.pin, padding: '' });
      const body = prefix.replace('""', `"${'x'.repeat(64 * 1024 - prefix.length)}"`);
      expect(Buffer.byteLength(body)).toBe(64 * 1024);
      expect((await postOtp(body)).status).toBe(201);
    });
  });

  describe('6. credential check', () => {
    it('answers wrong credentials with 404 not-found, never echoing them', async () => {
      const response = await postOtp({ pin: '9731', password: 'not-the-password' });
      const text = await response.clone().text();
      const [error] = await expectErrors(response, 404);
      expect(error).toMatchObject({ code: 'not-found', title: 'Resource not found' });
      expect(text).not.toContain('9731');
      expect(text).not.toContain('not-the-password');
    });

    it('checks the password first, then the PIN: one valid value is enough', async () => {
      expect((await postOtp({ pin: '0000', password: DEMO.user.password })).status).toBe(201);
      expect((await postOtp({ pin: DEMO.user.pin, password: 'wrong-password' })).status).toBe(201);
      expect((await postOtp({ password: DEMO.user.password })).status).toBe(201);
      expect((await postOtp({ pin: DEMO.user.pin, password: '' })).status).toBe(201);
    });

    it("does not accept another user's credentials", async () => {
      await expectErrors(await postOtp({ password: DEMO.passwordOnly.password }), 404);
      await expectErrors(await postOtp({ pin: DEMO.unlinked.pin }), 404);
    });

    it('gives a user without PIN a 404 for any PIN, and an OTP for the password', async () => {
      const token = DEMO.passwordOnly.token;
      await expectErrors(await postOtp({ pin: DEMO.user.pin }, { token }), 404);
      expect((await postOtp({ password: DEMO.passwordOnly.password }, { token })).status).toBe(201);
    });
  });

  it('7. issues a 6-digit OTP expiring after 10 minutes', async () => {
    const before = Date.now();
    const response = await postOtp({ pin: DEMO.user.pin });
    const after = Date.now();
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { otp: string; expiresAt: string };
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'otp']);
    expect(body.otp).toMatch(/^\d{6}$/);
    expect(body.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const expiresAt = Date.parse(body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 600_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 600_000);
  });

  it('issues different OTPs', async () => {
    const otps = await Promise.all(
      Array.from({ length: 5 }, async () => ((await (await postOtp({ pin: DEMO.user.pin })).json()) as { otp: string }).otp),
    );
    expect(new Set(otps).size).toBeGreaterThan(1);
  });
});

describe('GET /user/pin-or-password', () => {
  it.each([
    ['user', DEMO.user.token, { pin: true, password: true }],
    ['passwordOnly', DEMO.passwordOnly.token, { pin: false, password: true }],
  ])('tells which credentials %s has', async (_name, token, expected) => {
    const response = await call('/user/pin-or-password', { token, headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual(expected);
  });

  it('answers the unlinked user with 401 missing-linked-identity', async () => {
    const [error] = await expectErrors(await call('/user/pin-or-password', { token: DEMO.unlinked.token }), 401);
    expect(error?.code).toBe('missing-linked-identity');
  });

  it('requires the user:user:read scope', async () => {
    await expectPlainText(await call('/user/pin-or-password', { token: DEMO.noScope.token }), 403, 'Forbidden - requires scope user:user:read');
  });

  it('applies the same authentication rules', async () => {
    expect((await expectErrors(await call('/user/pin-or-password', { token: null }), 401))[0]?.code).toBe('unauthorized');
    await expectPlainText(await call('/user/pin-or-password', { token: 'unknown' }), 401, 'Unauthorized');
  });
});

describe('routing', () => {
  it('answers an unknown path with a JSON:API 404', async () => {
    await expectErrors(await call('/user/otp/nope', { method: 'POST' }), 404);
    await expectErrors(await fetch(sandbox.url.replace('/user/2024-1', '/user/otp'), { method: 'POST' }), 404);
  });

  it('answers another method on a known path with a JSON:API 405 and Allow', async () => {
    const response = await call('/user/otp');
    await expectErrors(response, 405);
    expect(response.headers.get('allow')).toBe('POST');
    const put = await call('/user/pin-or-password', { method: 'PUT', body: '{}' });
    await expectErrors(put, 405);
    expect(put.headers.get('allow')).toBe('GET');
  });

  it('ignores the query string when routing', async () => {
    expect((await postOtp({ pin: DEMO.user.pin }, {}).then(() => call('/user/pin-or-password?x=1'))).status).toBe(200);
  });
});

describe('onRequest', () => {
  it('records every request the upstream received', async () => {
    const body = JSON.stringify({ pin: DEMO.user.pin });
    await postOtp(body);
    await call('/elsewhere?q=1', { token: null });
    expect(recorded).toHaveLength(2);
    expect(recorded[0]).toMatchObject({ method: 'POST', path: '/user/2024-1/user/otp', body });
    expect(recorded[0]?.headers).toMatchObject({
      authorization: `Bearer ${DEMO.user.token}`,
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(recorded[1]).toMatchObject({ method: 'GET', path: '/user/2024-1/elsewhere?q=1', body: '' });
  });

  it('turns an observer that throws into a JSON:API 500 instead of crashing', async () => {
    const failing = await startSandbox({
      onRequest: () => {
        throw new Error('observer failed');
      },
    });
    try {
      const response = await fetch(`${failing.url}/user/otp`, { method: 'POST' });
      await expectErrors(response, 500);
    } finally {
      await failing.close();
    }
  });
});

describe('options and lifecycle', () => {
  it('honours otpTtlSeconds and latencyMs', async () => {
    const slow = await startSandbox({ otpTtlSeconds: 60, latencyMs: 150 });
    try {
      const started = Date.now();
      const response = await fetch(`${slow.url}/user/otp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEMO.user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pin: DEMO.user.pin }),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      const { expiresAt } = (await response.json()) as { expiresAt: string };
      expect(Math.abs(Date.parse(expiresAt) - (Date.now() + 60_000))).toBeLessThan(5_000);
    } finally {
      await slow.close();
    }
  });

  it('survives a client that aborts mid-body, and malformed HTTP', async () => {
    const { port } = new URL(sandbox.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /user/2024-1/user/otp HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${DEMO.user.token}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"pin":"12',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end('NONSENSE\r\n\r\n'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });
    await sleep(20);
    expect((await postOtp({ pin: DEMO.user.pin })).status).toBe(201);
  });

  it('closes with keep-alive connections open and in-flight requests', async () => {
    const closing = await startSandbox({ latencyMs: 1_000 });
    const pending = fetch(`${closing.url}/user/pin-or-password`, { headers: { authorization: `Bearer ${DEMO.user.token}` } });
    await sleep(50);
    await closing.close();
    await expect(pending).rejects.toThrow();
    await closing.close(); // idempotent
    await expect(fetch(`${closing.url}/user/pin-or-password`)).rejects.toThrow();
  });
});
