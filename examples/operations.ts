/**
 * The operations the examples send, typed by GraphQL Code Generator (codegen.ts -> examples/gql/):
 * `graphql()` returns a TypedDocumentNode, so Apollo Client, urql and graphql-request infer the
 * variables and the result from it. Every member of each result union is selected.
 */
import { graphql } from './gql/index.js';

export const CreateOtpDocument = graphql(`
  mutation CreateOtp($input: CreateOtpInput!) {
    createOtp(input: $input) {
      __typename
      ... on Otp { otp expiresAt }
      ... on Error { message }
      ... on InvalidCredentials { errorId }
      ... on MissingLinkedIdentity { errorId }
      ... on Unauthenticated { errorId }
      ... on Forbidden { errorId }
      ... on InvalidInput { errorId fields { path message } }
      ... on RateLimited { retryAfterSeconds }
    }
  }
`);

export const CredentialsDocument = graphql(`
  query Credentials {
    credentials {
      __typename
      ... on Credentials { pin password }
      ... on Error { message }
    }
  }
`);
