/**
 * GraphiQL in a real browser (Debian's Chromium driven by playwright-core), each case in a fresh
 * profile, with every request outside the gateway's origin aborted and recorded: the page must work
 * with the network closed. Screenshots go to test/artifacts/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { buildSchema, isObjectType, isUnionType } from 'graphql';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccountPages } from '../src/graphiql.js';
import { startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import { startGateway, type RunningGateway } from './helpers/servers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`graphiql.e2e: SKIPPED, ${CHROMIUM} is absent. Install it with \`apt-get install -y chromium\` (.ci/run does).`);
}

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
/** Playwright's own waits give up well before vitest's 30 s test timeout, with a useful message. */
const WAIT_MS = 15_000;

const selectors = {
  queryEditor: 'section.graphiql-query-editor .view-lines',
  /** The visible one of the variables and headers editors. */
  toolEditor: 'section.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines',
  result: 'section.result-window .view-lines',
  docs: '.graphiql-doc-explorer',
};

// The contract file: what the docs explorer must show.
const contract = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
const mutationType = contract.getMutationType();
const createOtpResult = contract.getType('CreateOtpResult');
const otpType = contract.getType('Otp');
if (!mutationType || !isUnionType(createOtpResult) || !isObjectType(otpType)) throw new Error('schema.graphql lacks createOtp');

describe.skipIf(!hasChromium)('GraphiQL in Chromium', () => {
  let sandbox: RunningSandbox;
  let demoGateway: RunningGateway;
  let plainGateway: RunningGateway;
  /** Like `npm start`: a page per demo account, tokens verified against the sandbox's realm, every log line kept. */
  let accountsGateway: RunningGateway;
  let browser: Browser;
  let allTokens: string[];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sandbox = await startSandbox();
    const { user } = sandbox.demo;
    allTokens = Object.values(sandbox.demo).map((account) => account.token);
    demoGateway = await startGateway(sandbox.url, { LOG_LEVEL: 'warn' }, { sandboxDemo: { authorization: `Bearer ${user.token}`, pin: user.pin } });
    plainGateway = await startGateway(sandbox.url, { LOG_LEVEL: 'warn' });
    accountsGateway = await startGateway(
      sandbox.url,
      { LOG_LEVEL: 'trace', PACE_TOKEN_ISSUER: sandbox.issuer },
      { sandboxDemo: { authorization: `Bearer ${user.token}`, pin: user.pin, accounts: demoAccountPages(sandbox.demo) } },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await demoGateway?.close();
    await plainGateway?.close();
    await accountsGateway?.close();
    await sandbox?.close();
  });

  it('opens with the createOtp document, the demo PIN and token; Run returns an Otp, nothing leaves 127.0.0.1', async () => {
    await using session = await openGraphiQL(demoGateway);
    const { page } = session;
    const document = await editorText(page, selectors.queryEditor);
    for (const selection of ['mutation CreateOtp($input: CreateOtpInput!)', 'createOtp(input: $input)', '__typename', '... on Otp { otp expiresAt }', '... on Error { message }', '... on InvalidInput { fields { path message } }', '... on RateLimited { retryAfterSeconds }']) {
      expect(document).toContain(selection);
    }
    expect(squeeze(await editorText(page, selectors.toolEditor))).toBe(`{"input":{"pin":"${sandbox.demo.user.pin}"}}`);
    await page.locator('button[data-name="headers"]').click();
    await waitForText(page, selectors.toolEditor, /Authorization/);
    expect(squeeze(await editorText(page, selectors.toolEditor))).toBe(squeeze(`{"Authorization":"Bearer ${sandbox.demo.user.token}"}`));

    const sent = page.waitForRequest((request) => isCreateOtp(request), { timeout: WAIT_MS });
    await run(page);
    expect((await sent).headers()['authorization']).toBe(`Bearer ${sandbox.demo.user.token}`);
    const result = await waitForText(page, selectors.result, /"__typename": "Otp"/);
    expect(result).toMatch(/"otp": "\d{6}"/);
    expect(result).toMatch(/"expiresAt": "\d{4}-\d\d-\d\dT/);
    await page.screenshot({ path: new URL('graphiql-otp.png', ARTIFACTS).pathname });

    session.expectOffline();
    expect(session.urls.some((url) => url === `${demoGateway.url}/graphql`)).toBe(true);
  });

  it('the account bar offers every demo account: its page sends its token (noScope: Forbidden); after reloads every tab sends the token its Headers tab shows, the page\'s', async () => {
    const expected = { user: 'Otp', passwordOnly: 'Otp', unlinked: 'MissingLinkedIdentity', noScope: 'Forbidden' } as const;
    await using session = await openGraphiQL(accountsGateway);
    const { page } = session;
    const bar = page.locator('#sandbox-accounts');
    expect(await bar.locator('[aria-current="page"]').innerText()).toBe('user');
    for (const name of ['noScope', 'passwordOnly', 'unlinked', 'user'] as const) {
      await bar.getByRole('link', { name, exact: true }).click();
      await page.waitForURL((url) => url.searchParams.get('account') === name);
      await waitForGraphiQL(page, /mutation CreateOtp/, /"input"/);
      expect(await bar.locator('[aria-current="page"]').innerText()).toBe(name);
      const { shown, sent, result } = await runActiveTab(page);
      expect(shown).toBe(`Bearer ${sandbox.demo[name].token}`);
      expect(sent, name).toBe(shown);
      expect(result, name).toBe(expected[name]);
    }
    // Reloads: GraphiQL restores every tab without its headers, so each shows, and sends, the token of
    // the page the bar names, never another account's.
    // A second tab, made by hand: GraphiQL opens it empty, so it gets a createOtp document of its own.
    await page.locator('.graphiql-tab-add').click();
    await waitForText(page, selectors.toolEditor, /./);
    await page.locator(selectors.queryEditor).first().click();
    await page.keyboard.insertText('mutation Second { createOtp(input: {pin: "1234"}) { __typename } }');
    await waitForText(page, selectors.queryEditor, /mutation Second/);
    // GraphiQL stores its tabs a moment later: leaving before that would restore only one.
    await expect.poll(() => page.evaluate(storedTabQueries), { timeout: WAIT_MS }).toContainEqual(expect.stringContaining('mutation Second'));
    for (const name of ['noScope', 'user'] as const) {
      await page.goto(`${accountsGateway.url}/graphql?account=${name}`);
      await waitForGraphiQL(page, /mutation CreateOtp/);
      await page.reload();
      await waitForGraphiQL(page, /mutation CreateOtp/);
      expect(await bar.locator('[aria-current="page"]').innerText()).toBe(name);
      const tabs = page.locator('.graphiql-tab');
      await expect.poll(() => tabs.count(), { timeout: WAIT_MS }).toBeGreaterThanOrEqual(2);
      for (let index = 0; index < (await tabs.count()); index += 1) {
        // Run only once the switch is done: a click on Run while the editors change tabs sends nothing.
        await activateTab(tabs.nth(index));
        await waitForText(page, selectors.queryEditor, /createOtp/);
        const { shown, sent } = await runActiveTab(page);
        expect(shown, `${name}, tab ${index}`).toBe(`Bearer ${sandbox.demo[name].token}`);
        expect(sent, `${name}, tab ${index}`).toBe(shown);
      }
    }
    await page.screenshot({ path: new URL('graphiql-accounts.png', ARTIFACTS).pathname });
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    for (const token of allTokens) expect(storage).not.toContain(token);
    const logs = accountsGateway.logs.join('');
    expect(logs).toContain('"result":"Forbidden"'); // the log saw the requests, not their tokens
    for (const token of allTokens) expect(logs).not.toContain(token);
    session.expectOffline();
  }, 90_000);

  it('a wrong PIN in the variables editor gives InvalidCredentials; reopening starts from the demo tab again', async () => {
    await using session = await openGraphiQL(demoGateway);
    const { page } = session;
    // Double-click selects the PIN between its quotes (Monaco's word rules), typing replaces it;
    // digits are safe from the editor's auto-closing of brackets and quotes.
    // The PIN's own token (exact text), not a whole line still waiting for its tokens: a click in
    // the middle of such a line lands on "pin".
    await page.locator(`${selectors.toolEditor} span`, { hasText: new RegExp(`^"${sandbox.demo.user.pin}"$`) }).last().dblclick();
    await page.keyboard.type('0000');
    await waitForText(page, selectors.toolEditor, /"pin": "0000"/);
    await run(page);
    const result = await waitForText(page, selectors.result, /"__typename": "InvalidCredentials"/);
    expect(result).toMatch(/"message": "/);
    expect(result).not.toContain('"otp"');
    await page.screenshot({ path: new URL('graphiql-invalid-credentials.png', ARTIFACTS).pathname });

    // A later open in the same profile: GraphiQL restores its tabs from localStorage, and the
    // untouched default tab (demo PIN, demo token) is the active one again.
    await page.reload();
    await waitForGraphiQL(page, /mutation CreateOtp/);
    expect(squeeze(await editorText(page, selectors.toolEditor))).toBe(`{"input":{"pin":"${sandbox.demo.user.pin}"}}`);
    await run(page);
    await waitForText(page, selectors.result, /"__typename": "Otp"/);
    // Tabs are kept in localStorage, headers (the token) never.
    await page.waitForFunction(() => localStorage.getItem('graphiql:tabState') !== null, undefined, { timeout: WAIT_MS });
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(sandbox.demo.user.token);
    session.expectOffline();
  });

  it('a ?query= link (GraphiQL writes one on every edit) opens its own document', async () => {
    const query = 'query Kinds { credentials { __typename ... on Credentials { pin password } } }';
    await using session = await openGraphiQL(demoGateway, `/graphql?query=${encodeURIComponent(query)}`, /query Kinds/);
    const { page } = session;
    expect(await editorText(page, selectors.queryEditor)).toContain('credentials');
    await run(page);
    const result = await waitForText(page, selectors.result, /"__typename": "Credentials"/);
    expect(result).toMatch(/"pin": true/);
    session.expectOffline();
  });

  it('against a gateway without the sandbox demo, no token is prefilled anywhere', async () => {
    await using session = await openGraphiQL(plainGateway);
    const { page } = session;
    const pageText = `${session.html}\n${await page.content()}`;
    for (const token of allTokens) expect(pageText).not.toContain(token);
    expect(squeeze(await editorText(page, selectors.toolEditor))).toBe('{"input":{"pin":""}}');
    await page.locator('button[data-name="headers"]').click();
    await waitForText(page, selectors.toolEditor, /Authorization/);
    const headers = await editorText(page, selectors.toolEditor);
    expect(headers).toContain('Bearer <PACE access token');
    for (const token of allTokens) expect(squeeze(headers)).not.toContain(token);
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    for (const token of allTokens) expect(storage).not.toContain(token);
    expect(session.requests.every((request) => !allTokens.some((token) => (request.headers()['authorization'] ?? '').includes(token)))).toBe(true);
    await page.screenshot({ path: new URL('graphiql-no-demo.png', ARTIFACTS).pathname });
    session.expectOffline();
  });

  it('the docs explorer shows the descriptions of createOtp, its result union and Otp', async () => {
    await using session = await openGraphiQL(demoGateway);
    const { page } = session;
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator(selectors.docs);
    await docs.getByRole('link', { name: 'Mutation', exact: true }).first().click();
    await waitForText(page, selectors.docs, /createOtp/);
    expect(squeeze(await docs.innerText())).toContain(squeeze(shown(mutationType.getFields()['createOtp']?.description)));

    await docs.getByRole('link', { name: 'CreateOtpResult', exact: true }).first().click();
    await waitForText(page, '.graphiql-doc-explorer-title', /CreateOtpResult/);
    expect(squeeze(await docs.innerText())).toContain(squeeze(shown(createOtpResult.description)));

    await docs.getByRole('link', { name: 'Otp', exact: true }).first().click();
    await waitForText(page, '.graphiql-doc-explorer-title', /^Otp$/);
    const otpDocs = squeeze(await docs.innerText());
    expect(otpDocs).toContain(squeeze(shown(otpType.description)));
    expect(otpDocs).toContain(squeeze(shown(otpType.getFields()['otp']?.description)));
    expect(otpDocs).toContain(squeeze(shown(otpType.getFields()['expiresAt']?.description)));
    await page.screenshot({ path: new URL('graphiql-docs.png', ARTIFACTS).pathname });
    session.expectOffline();
  });

  /** Closes its browser context when disposed (`await using`). */
  interface Session extends AsyncDisposable {
    readonly context: BrowserContext;
    readonly page: Page;
    /** The HTML the gateway served for /graphql. */
    readonly html: string;
    readonly urls: string[];
    readonly requests: Request[];
    /** Every request stayed on the gateway's origin (blob: and data: URLs included), none failed, no page error. */
    expectOffline(): void;
  }

  /** A fresh profile (empty localStorage) with the network closed beyond the gateway; GraphiQL ready. */
  async function openGraphiQL(gateway: RunningGateway, path = '/graphql', ready = /mutation CreateOtp/): Promise<Session> {
    const origin = new URL(gateway.url).origin;
    const isLocal = (url: string): boolean => {
      const inner = url.startsWith('blob:') ? url.slice('blob:'.length) : url;
      return inner.startsWith('data:') || new URL(inner).origin === origin;
    };
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(WAIT_MS);
    const urls: string[] = [];
    const requests: Request[] = [];
    const failed: string[] = [];
    const pageErrors: string[] = [];
    await context.route((url) => !isLocal(url.href), (route) => route.abort('internetdisconnected'));
    context.on('request', (request) => {
      urls.push(request.url());
      requests.push(request);
    });
    context.on('requestfailed', (request) => {
      const error = request.failure()?.errorText ?? '';
      // A reload cancels GraphiQL's own files still loading (its workers): not a failure of the page.
      if (error === 'net::ERR_ABORTED' && isLocal(request.url())) return;
      failed.push(`${request.url()}: ${error}`);
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const response = await page.goto(`${gateway.url}${path}`);
    expect(response?.status()).toBe(200);
    const html = (await response?.text()) ?? '';
    await waitForGraphiQL(page, ready);
    return {
      context,
      page,
      html,
      urls,
      requests,
      expectOffline: () => {
        expect(urls.filter((url) => !isLocal(url))).toEqual([]);
        expect(failed).toEqual([]);
        expect(pageErrors).toEqual([]);
      },
      [Symbol.asyncDispose]: () => context.close(),
    };
  }
});

/** GraphiQL rendered its editors and filled the first tab. */
async function waitForGraphiQL(page: Page, ready: RegExp, variables = /"pin"/): Promise<void> {
  await waitForText(page, selectors.queryEditor, ready);
  await waitForText(page, selectors.toolEditor, variables);
}

/**
 * Runs the active tab: the token its Headers tab shows, the Authorization the request carried, and
 * the answer's __typename (the headers editor is left open).
 */
async function runActiveTab(page: Page): Promise<{ shown: string; sent: string | undefined; result: string | undefined }> {
  await page.locator('button[data-name="headers"]').click();
  const headers = await waitForText(page, selectors.toolEditor, /Authorization/);
  const shown = (JSON.parse(headers) as { Authorization: string }).Authorization;
  const authorization = (await runUntilSent(page)).headers()['authorization'];
  const result = await waitForText(page, selectors.result, /"__typename": "\w+"/);
  return { shown, sent: authorization, result: /"__typename": "(\w+)"/.exec(result)?.[1] };
}

/**
 * Presses Run until GraphiQL sends createOtp (at most 5 presses): right after a tab switch GraphiQL
 * can drop a press while it swaps the editors. A Run that never sends still fails the test.
 */
async function runUntilSent(page: Page): Promise<Request> {
  for (let press = 0; press < 5; press += 1) {
    const sent = page.waitForRequest((request) => isCreateOtp(request), { timeout: 3_000 }).catch(() => undefined);
    await run(page);
    const request = await sent;
    if (request) return request;
  }
  throw new Error('Run sent no createOtp request in 5 presses');
}

/**
 * Clicks a tab until GraphiQL marks it active (at most 5 clicks): right after a reload GraphiQL can
 * drop a click while it restores its tabs (seen on a loaded CI machine). A tab that never becomes
 * active still fails the test.
 */
async function activateTab(tab: Locator): Promise<void> {
  for (let click = 1; ; click += 1) {
    await tab.locator('button').first().click();
    try {
      await expect.poll(() => tab.getAttribute('class'), { timeout: 3_000 }).toContain('graphiql-tab-active');
      return;
    } catch (error) {
      if (click === 5) throw new Error('the tab never became active in 5 clicks', { cause: error });
    }
  }
}

async function run(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Execute query/ }).click();
}

const isCreateOtp = (request: Request): boolean =>
  request.method() === 'POST' && new URL(request.url()).pathname === '/graphql' && (request.postData() ?? '').includes('createOtp');

/** Monaco renders spaces as U+00A0. */
async function editorText(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().innerText()).replace(/\u00a0/g, ' ');
}

/** Waits for the element's text to match (polling the DOM, no sleeps); returns the text. */
async function waitForText(page: Page, selector: string, pattern: RegExp): Promise<string> {
  try {
    await page.waitForFunction(
      ([sel, source, flags]) => {
        const element = document.querySelector<HTMLElement>(sel);
        return element !== null && new RegExp(source, flags).test(element.innerText.replace(/\u00a0/g, ' '));
      },
      [selector, pattern.source, pattern.flags] as const,
      { timeout: WAIT_MS },
    );
  } catch (error) {
    const seen = await page.locator(selector).first().innerText({ timeout: 1_000 }).catch(() => '(absent)');
    throw new Error(`${selector} never matched ${pattern}; it shows:\n${seen}`, { cause: error });
  }
  return editorText(page, selector);
}

/** A description as the docs explorer shows it: markdown code spans lose their backticks. */
const shown = (description: string | null | undefined): string => (description ?? '(no description)').replace(/`/g, '');
const squeeze = (text: string): string => text.replace(/\s+/g, '');

/** In the page: the documents of the tabs in GraphiQL's stored tab states (its storage keys are GraphiQL's own). */
function storedTabQueries(): string[] {
  const queries: string[] = [];
  for (let index = 0; index < localStorage.length; index += 1) {
    try {
      const value: unknown = JSON.parse(localStorage.getItem(localStorage.key(index)!) ?? 'null');
      const tabs = (value as { tabs?: unknown } | null)?.tabs;
      if (Array.isArray(tabs)) for (const tab of tabs) queries.push(String((tab as { query?: unknown }).query ?? ''));
    } catch {
      // not JSON: not a tab state
    }
  }
  return queries;
}
