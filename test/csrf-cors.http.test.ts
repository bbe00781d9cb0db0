/** Cross-origin defences: Yoga's CSRF prevention on GET, and CORS off unless CORS_ORIGINS grants an origin. */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { startSandboxedGateway, useSandboxedGateway } from './helpers/sandbox.js';
import { bearer } from './helpers/servers.js';

const setup = useSandboxedGateway();
const auth = bearer(DEMO.user.token);

describe('CSRF prevention', () => {
  it('refuses a GET without a preflight header, accepts one with it', async () => {
    const url = `${setup.gateway.url}/graphql?query=${encodeURIComponent('{ credentials { __typename } }')}`;
    const refused = await request(url, { headers: auth });
    expect(refused.statusCode).toBe(403);
    await refused.body.text();
    const allowed = await request(url, { headers: { ...auth, 'x-graphql-yoga-csrf': '1', accept: 'application/json' } });
    expect(allowed.statusCode).toBe(200);
    expect(await allowed.body.json()).toEqual({ data: { credentials: { __typename: 'Credentials' } } });
  });
});

describe('CORS', () => {
  const preflight = (url: string) =>
    request(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });

  it('is off by default: no cross-origin grant', async () => {
    const response = await preflight(setup.gateway.url);
    await response.body.text();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('grants exactly the origins in CORS_ORIGINS', async () => {
    await using open = await startSandboxedGateway({ env: { CORS_ORIGINS: 'https://app.example.com' } });
    const allowed = await preflight(open.url);
    await allowed.body.text();
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await request(`${open.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    await other.body.text();
    expect(other.headers['access-control-allow-origin']).not.toBe('https://evil.example');
  });
});
