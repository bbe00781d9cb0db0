/** GraphiQL as a newcomer first meets it: served from the gateway itself, with a ready document. */
import type { GraphiQLOptions } from 'graphql-yoga';
import { CREATE_OTP_SCOPE } from './auth.js';

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

/**
 * `sandbox` prefills the headers tab, only for the embedded sandbox's demo account: against a real
 * PACE API no token is ever prefilled, and headers are never persisted in the browser's storage.
 *
 * GraphiQL 5 builds the first tab from `defaultTabs` but fills the variables and headers editors
 * from its initial values only (graphql/graphiql#3392), so they are given twice: `variables`
 * (initial variables) and `headers` (Yoga's name for GraphiQL's `defaultHeaders`, also used by
 * every new tab). `query` (initial query) serves later opens: GraphiQL restores its tabs from
 * localStorage and activates the tab matching the initial query and variables, appending one when
 * none does, so every open lands on a working default tab, edited tabs kept beside it (without it,
 * GraphiQL appends an empty tab). test/graphiql.e2e.test.ts checks both in a real browser.
 */
export function graphiqlOptions(sandbox?: { readonly authorization: string; readonly pin: string }, typePrefix = ''): GraphiQLOptions {
  const document = defaultDocument(typePrefix);
  const variables = JSON.stringify({ input: { pin: sandbox?.pin ?? '' } }, null, 2);
  const headers = JSON.stringify({ Authorization: sandbox?.authorization ?? AUTHORIZATION_PLACEHOLDER }, null, 2);
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
 * The options of a page: one of two fixed objects, so src/graphiql-page.ts renders each once.
 * GraphiQL writes `?query=…` into the URL on every edit, so such a link is someone's document: there
 * the URL's query wins, and our initial `query` (which GraphiQL would prefer) is left out.
 */
export function graphiqlFor(sandbox?: { readonly authorization: string; readonly pin: string }, typePrefix = ''): (url: URL) => GraphiQLOptions {
  const options = graphiqlOptions(sandbox, typePrefix) as YogaGraphiQLOptions;
  const { query: _initialQuery, ...forLinks } = options;
  return (url) => (url.searchParams.has('query') ? forLinks : options);
}
