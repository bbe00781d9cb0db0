/** GraphiQL as a newcomer first meets it: served from the gateway itself, with a ready document. */
import type { GraphiQLOptions } from 'graphql-yoga';

export { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const DEFAULT_DOCUMENT = /* GraphQL */ `# Press Run (▶) to ask PACE for a one-time password.
mutation CreateOtp($input: CreateOtpInput!) {
  createOtp(input: $input) {
    __typename
    ... on Otp { otp expiresAt }
    ... on Error { message }
    ... on InvalidInput { fields { path message } }
    ... on RateLimited { retryAfterSeconds }
  }
}
`;

/**
 * `sandboxAuthorization` prefills the headers tab, only for the embedded sandbox's demo account:
 * against a real PACE API no token is ever prefilled.
 */
export function graphiqlOptions(sandbox?: { authorization: string; pin: string }): GraphiQLOptions {
  return {
    title: 'PACE OTP gateway',
    defaultEditorToolsVisibility: true,
    defaultTabs: [
      {
        query: DEFAULT_DOCUMENT,
        variables: JSON.stringify({ input: { pin: sandbox?.pin ?? '' } }, null, 2),
        headers: JSON.stringify(sandbox ? { Authorization: sandbox.authorization } : { Authorization: 'Bearer <PACE access token>' }, null, 2),
      },
    ],
    shouldPersistHeaders: false,
  };
}
