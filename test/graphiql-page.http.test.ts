/**
 * GraphiQL's page and files over real HTTP: a small page, content-hashed files served from memory,
 * precompressed (brotli, gzip) by Accept-Encoding and cached for good. The browser side is
 * test/graphiql.e2e.test.ts.
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { demoAccountPages } from '../src/graphiql.js';
import { chooseEncoding } from '../src/graphiql-page.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { startGateway } from './helpers/servers.js';

const setup = useSandboxedGateway();

async function get(path: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') {
  const response = await request(`${setup.gateway.url}${path}`, { method, headers });
  return { status: response.statusCode, headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
}

async function page(path = '/graphql'): Promise<string> {
  const { status, headers, body } = await get(path, { accept: 'text/html' });
  expect(status).toBe(200);
  expect(headers['content-type']).toBe('text/html; charset=utf-8');
  return body.toString();
}

/** Every same-origin file the page refers to: stylesheet, icon, scripts and the workers' URLs. */
const fileUrls = (html: string): string[] => [...new Set(html.match(/\/graphiql\/[\w.-]+/g) ?? [])];

describe('the GraphiQL page', () => {
  it('is small and refers to content-hashed files only', async () => {
    const html = await page();
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(100 * 1024);
    expect(html).not.toMatch(/https?:\/\//); // no CDN
    const urls = fileUrls(html);
    expect(urls.map((url) => url.replace(/\.[0-9a-f]{16}\./, '.#.')).sort()).toEqual(
      ['/graphiql/editor.worker.#.js', '/graphiql/favicon.#.ico', '/graphiql/graphiql.#.css', '/graphiql/graphiql.#.js', '/graphiql/graphql.worker.#.js', '/graphiql/json.worker.#.js'],
    );
    expect(await page()).toBe(html); // the same page every time
  });

  it('is cached by nobody (it may hold the sandbox demo token)', async () => {
    const { headers } = await get('/graphql', { accept: 'text/html' });
    expect(headers['cache-control']).toBe('no-store');
  });

  it('for a ?query= link, leaves out the initial query', async () => {
    const options = (html: string) => JSON.parse(/renderYogaGraphiQL\([^,]+, (\{.*\})\);/.exec(html)?.[1] ?? 'null') as Record<string, unknown>;
    expect(options(await page('/graphql?query=%7B%20credentials%20%7B%20__typename%20%7D%20%7D'))).not.toHaveProperty('query');
    expect(options(await page())).toHaveProperty('query', expect.stringContaining('mutation CreateOtp'));
  });
});

describe('the sandbox demo accounts on the page', () => {
  const options = (html: string) => JSON.parse(/renderYogaGraphiQL\([^,]+, (\{.*\})\);/.exec(html)?.[1] ?? 'null') as { headers: string; variables: string };

  it('with the embedded sandbox: ?account=<name> is that account\'s page (its token, its PIN or password), its bar naming it; another name is the default page', async () => {
    const { demo } = setup.sandbox;
    const accounts = demoAccountPages(demo);
    await using gateway = await startGateway(setup.sandbox.url, {}, { sandboxDemo: { authorization: `Bearer ${demo.user.token}`, pin: demo.user.pin, accounts } });
    const html = async (path: string) => (await request(`${gateway.url}${path}`, { headers: { accept: 'text/html' } })).body.text();
    for (const account of accounts) {
      const page = await html(`/graphql?account=${account.name}`);
      expect(JSON.parse(options(page).headers)).toEqual({ Authorization: account.authorization });
      expect(JSON.parse(options(page).variables)).toEqual({ input: account.input });
      expect(/aria-current="page">(\w+)</.exec(page)?.[1]).toBe(account.name);
      // The bar links every other account's page.
      for (const other of accounts) if (other !== account) expect(page).toContain(`href="?account=${other.name}"`);
    }
    expect(JSON.parse(options(await html('/graphql?account=nobody')).headers)).toEqual({ Authorization: `Bearer ${demo.user.token}` });
    expect(options(await html('/graphql?account=noScope&query=%7B__typename%7D')).headers).toContain(demo.noScope.token);
  });

  it('without it (a real PACE API): no bar, and ?account= changes nothing', async () => {
    const page = await (await request(`${setup.gateway.url}/graphql?account=noScope`, { headers: { accept: 'text/html' } })).body.text();
    expect(page).not.toContain('sandbox-accounts');
    for (const account of Object.values(setup.sandbox.demo)) expect(page).not.toContain(account.token);
    expect(page).toBe(await (await request(`${setup.gateway.url}/graphql`, { headers: { accept: 'text/html' } })).body.text());
  });
});

describe("GraphiQL's files", () => {
  it('are served as brotli, gzip or identity by Accept-Encoding, with immutable caching and a name hashing the content', async () => {
    for (const url of fileUrls(await page())) {
      const plain = await get(url);
      expect(plain.status, url).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(plain.headers['vary']).toBe('accept-encoding');
      expect(plain.headers['content-type']).toMatch(url.endsWith('.js') ? /^text\/javascript/ : url.endsWith('.css') ? /^text\/css/ : /^image\//);
      expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
      expect(url).toContain(createHash('sha256').update(plain.body).digest('hex').slice(0, 16));

      const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
      const gzip = await get(url, { 'accept-encoding': 'gzip, br;q=0' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
      if (url.endsWith('.js')) expect(br.body.length).toBeLessThan(plain.body.length / 2);
    }
  });

  it('answers HEAD without a body, and 404 for a name it does not have', async () => {
    const [url] = fileUrls(await page());
    const head = await get(url!, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await get('/graphiql/graphiql.0000000000000000.js')).status).toBe(404);
    expect((await get('/graphiql/../package.json')).status).toBe(404);
  });

  it('are not served with GRAPHIQL=false', async () => {
    const [url] = fileUrls(await page());
    const closed = await startGateway(setup.sandbox.url, { GRAPHIQL: 'false' });
    try {
      const response = await request(`${closed.url}${url}`);
      await response.body.text();
      expect(response.statusCode).toBe(404);
    } finally {
      await closed.close();
    }
  });
});

describe('chooseEncoding', () => {
  it.each([
    [null, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['BR;q=0.5, gzip', 'br'],
    ['br;q=0, gzip;q=0.8', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['deflate', 'identity'],
  ] as const)('%j -> %s', (header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });
});
