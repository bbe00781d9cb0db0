/** GraphiQL as a newcomer first meets it: served from the gateway itself, with a ready document. */
import type { GraphiQLOptions } from 'graphql-yoga';
import { CREATE_OTP_SCOPE } from './auth.js';
import type { AccountBar, GraphiQLPage } from './graphiql-page.js';

/** The document of GraphiQL's first tab: createOtp selecting every member of its result union (type names under GRAPHQL_TYPE_PREFIX). */
export const defaultDocument = (typePrefix = ''): string => /* GraphQL */ `# Press Run (▶) to get a one-time password.
# PIN: Variables tab. Token: Headers tab.
# Docs: the book icon, top left.
mutation CreateOtp($input: ${typePrefix}CreateOtpInput!) {
  createOtp(input: $input) {
    __typename
    ... on ${typePrefix}Otp { otp expiresAt }
    ... on ${typePrefix}Error { message }
    ... on ${typePrefix}InvalidInput { fields { path message } }
    ... on ${typePrefix}RateLimited { retryAfterSeconds }
  }
}
`;

export const DEFAULT_DOCUMENT = defaultDocument();

/** What a real PACE API gets in the headers tab: a placeholder to replace, never a token. */
export const AUTHORIZATION_PLACEHOLDER = `Bearer <PACE access token with scope ${CREATE_OTP_SCOPE}>`;

/**
 * Yoga's GraphiQL page also reads `query` and `variables` (handed to GraphiQL as its initial query
 * and variables); its `GraphiQLOptions` type just does not list them.
 */
type YogaGraphiQLOptions = GraphiQLOptions & { readonly query?: string; readonly variables?: string };

/** A sandbox demo account as GraphiQL offers it: its own page, `/graphql?account=<name>`. */
export interface DemoAccountPage {
  readonly name: string;
  /** The Authorization header's value, `Bearer <its token>`. */
  readonly authorization: string;
  /** The variables' `input`: its PIN or password. */
  readonly input: { readonly pin?: string; readonly password?: string };
  /** What createOtp answers it, shown in the page's account bar. */
  readonly result: string;
}

/**
 * The embedded sandbox's demo: the default account (prefilled in GraphiQL) and, with `accounts`, a
 * page per demo account. Never set for a real PACE API.
 */
export interface SandboxDemo {
  readonly authorization: string;
  readonly pin: string;
  readonly accounts?: readonly DemoAccountPage[];
}

/** The sandbox's four demo accounts as pages (the first is the default page's). */
export function demoAccountPages(demo: {
  readonly user: { readonly token: string; readonly pin: string };
  readonly passwordOnly: { readonly token: string; readonly password: string };
  readonly unlinked: { readonly token: string; readonly pin: string };
  readonly noScope: { readonly token: string };
}): DemoAccountPage[] {
  return [
    { name: 'user', authorization: `Bearer ${demo.user.token}`, input: { pin: demo.user.pin }, result: 'Otp' },
    { name: 'passwordOnly', authorization: `Bearer ${demo.passwordOnly.token}`, input: { password: demo.passwordOnly.password }, result: 'Otp, by its password (no PIN)' },
    { name: 'unlinked', authorization: `Bearer ${demo.unlinked.token}`, input: { pin: demo.unlinked.pin }, result: 'MissingLinkedIdentity' },
    // Any PIN: the scope is checked first.
    { name: 'noScope', authorization: `Bearer ${demo.noScope.token}`, input: { pin: demo.user.pin }, result: `Forbidden (no ${CREATE_OTP_SCOPE})` },
  ];
}

/**
 * GraphiQL's options for one token (`authorization`) and `input`; without them, for a real PACE API:
 * no token is ever prefilled, and headers are never persisted in the browser's storage.
 *
 * GraphiQL 5 builds the first tab from `defaultTabs` but fills the variables and headers editors
 * from its initial values only (graphql/graphiql#3392), so they are given twice: `variables`
 * (initial variables) and `headers` (Yoga's name for GraphiQL's `defaultHeaders`). `query` (initial
 * query) serves later opens: GraphiQL restores its tabs from localStorage and activates the tab
 * matching the initial query and variables, appending one when none does, so every open lands on a
 * working default tab, edited tabs kept beside it (without it, GraphiQL appends an empty tab).
 *
 * Why a page per demo account, and not a tab per account (`defaultTabs`): GraphiQL stores tabs
 * without their headers, and a restored tab shows, and sends, `defaultHeaders`. A tab made for
 * `noScope` would, after a reload, send the user's token under its old name. Here `defaultHeaders`
 * is the page's one token: every tab of a page, new or restored, starts with the token the page's
 * account bar names, and a reload keeps the page (`?account=` stays in the URL).
 * test/graphiql.e2e.test.ts checks both in a real browser.
 */
export function graphiqlOptions(
  demo?: { readonly authorization: string; readonly input: DemoAccountPage['input'] },
  typePrefix = '',
): GraphiQLOptions {
  const document = defaultDocument(typePrefix);
  const variables = JSON.stringify({ input: demo?.input ?? { pin: '' } }, null, 2);
  const headers = JSON.stringify({ Authorization: demo?.authorization ?? AUTHORIZATION_PLACEHOLDER }, null, 2);
  const options: YogaGraphiQLOptions = {
    title: 'PACE OTP gateway',
    defaultEditorToolsVisibility: true,
    defaultTabs: [{ query: document, variables, headers }],
    query: document,
    variables,
    headers,
    shouldPersistHeaders: false,
  };
  return options;
}

/**
 * The page for a request: one of a few fixed objects, so src/graphiql-page.ts renders each once.
 * With the sandbox's `accounts`, `?account=<name>` picks the account (any other value: the default).
 * GraphiQL writes `?query=…` into the URL on every edit, so such a link is someone's document: there
 * the URL's query wins, and our initial `query` (which GraphiQL would prefer) is left out.
 */
export function graphiqlFor(sandbox?: SandboxDemo, typePrefix = ''): (url: URL) => GraphiQLPage {
  const variants = (demo: { authorization: string; input: DemoAccountPage['input'] } | undefined, accounts?: AccountBar) => {
    const options = graphiqlOptions(demo, typePrefix) as YogaGraphiQLOptions;
    const { query: _initialQuery, ...forLinks } = options;
    return { fresh: { options, ...(accounts && { accounts }) }, link: { options: forLinks, ...(accounts && { accounts }) } };
  };
  const accounts = sandbox?.accounts ?? [];
  const byName = new Map(accounts.map((account) => [account.name, variants(account, bar(accounts, account.name))]));
  const defaultAccount = accounts.find((account) => account.authorization === sandbox?.authorization)?.name ?? '';
  const byDefault = byName.get(defaultAccount) ?? variants(sandbox && { authorization: sandbox.authorization, input: { pin: sandbox.pin } });
  return (url) => {
    const pages = byName.get(url.searchParams.get('account') ?? '') ?? byDefault;
    return url.searchParams.has('query') ? pages.link : pages.fresh;
  };
}

function bar(accounts: readonly DemoAccountPage[], current: string): AccountBar {
  return { current, links: accounts.map(({ name, result }) => ({ name, href: `?account=${encodeURIComponent(name)}`, result })) };
}
