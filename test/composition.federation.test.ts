/**
 * Composition beside realistic neighbours, with both composition libraries (@apollo/composition and
 * @theguild/federation-composition): the default SDL beside neighbours that reuse our names with the
 * same shapes, the prefixed SDL (GRAPHQL_TYPE_PREFIX) beside neighbours that reuse them with other
 * shapes, and one createOtp through Hive Gateway with the prefix on.
 */
import { parse, print } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { printSubgraphFile } from '../src/schema/print.js';
import { composeWithBoth, startSupergraph, type Subgraph, type Supergraph } from './helpers/federation.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { bearer, graphql } from './helpers/servers.js';

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@shareable"])';

const subgraph = (name: string, sdl: string): Subgraph => ({ name, url: `http://${name}.internal/graphql`, typeDefs: parse(sdl) });
const otp = (typePrefix?: string) => subgraph('otp', printSubgraphFile({ typePrefix }));

/** Neighbours that reuse our names with the same shapes, as a platform's shared conventions would. */
const SAME_SHAPES = {
  // A payments subgraph with the very same error types and Otp, marked @shareable as Federation 2 wants.
  'identical value types': `${FEDERATION}
    scalar DateTime
    interface Error { message: String! }
    type Unauthenticated implements Error @shareable { message: String! errorId: String }
    type Forbidden implements Error @shareable { message: String! errorId: String }
    type FieldError @shareable { path: [String!]! message: String! }
    type InvalidInput implements Error @shareable { message: String! fields: [FieldError!]! errorId: String }
    type Otp @shareable { otp: String! expiresAt: DateTime! }
    type Payment { id: ID! confirmationOtp: Otp }
    union PaymentResult = Payment | Unauthenticated | Forbidden | InvalidInput
    type Query { payment(id: ID!): PaymentResult! }`,
  // An orders subgraph sharing only the Error interface and DateTime, with its own members.
  'only Error and DateTime': `${FEDERATION}
    scalar DateTime
    interface Error { message: String! }
    type OrderNotFound implements Error { message: String! orderId: ID! }
    type Order { id: ID! placedAt: DateTime! }
    union OrderResult = Order | OrderNotFound
    type Query { order(id: ID!): OrderResult! }`,
  // A Federation 1 subgraph (no @link): its value types are shareable implicitly.
  'Federation 1': `
    scalar DateTime
    interface Error { message: String! }
    type Unauthenticated implements Error { message: String! errorId: String }
    type Account { id: ID! createdAt: DateTime! }
    union AccountResult = Account | Unauthenticated
    type Query { account: AccountResult! }`,
};

/** Neighbours that reuse our names with other shapes: what breaks an unprefixed subgraph. */
const OTHER_SHAPES = {
  'Unauthenticated with a code': `${FEDERATION}
    type Unauthenticated @shareable { message: String! code: String! }
    type Session { id: ID! }
    union SessionResult = Session | Unauthenticated
    type Query { session: SessionResult! }`,
  'FieldError with a field name': `${FEDERATION}
    type FieldError @shareable { field: String! message: String! }
    type Address { id: ID! }
    type AddressResult { address: Address errors: [FieldError!]! }
    type Mutation { updateAddress(street: String!): AddressResult! }
    type Query { address: Address }`,
  'an SMS Otp': `${FEDERATION}
    scalar DateTime
    type Otp @shareable { code: String! channel: String! sentAt: DateTime! }
    type Mutation { sendSmsOtp(phone: String!): Otp! }
    type Query { lastOtp: Otp }`,
  'Error with more fields': `${FEDERATION}
    interface Error { message: String! code: String! }
    type NotFound implements Error { message: String! code: String! }
    type Station { id: ID! }
    union StationResult = Station | NotFound
    type Query { station(id: ID!): StationResult! }`,
};

describe('the default SDL (no prefix)', () => {
  it.each(Object.entries(SAME_SHAPES))('composes beside a neighbour with %s, with both libraries', (name, sdl) => {
    const { apollo, guild } = composeWithBoth([otp(), subgraph('neighbour', sdl)]);
    expect(apollo.messages, name).toEqual([]);
    expect(guild.messages, name).toEqual([]);
    for (const supergraph of [apollo.supergraphSdl, guild.supergraphSdl]) {
      expect(supergraph).toMatch(/input: CreateOtpInput!\s*\): CreateOtpResult!/);
      expect(supergraph).toMatch(/union CreateOtpResult\b[^=]*=[^\n]*\bOtp\b/);
    }
  });

  it('needs its @shareable: without it, identical shapes fail with both libraries', () => {
    const unshared = subgraph('otp', printSubgraphFile().replace(/\n\s*@shareable/g, ''));
    const { apollo, guild } = composeWithBoth([unshared, subgraph('neighbour', SAME_SHAPES['identical value types'])]);
    expect(apollo.codes).toContain('INVALID_FIELD_SHARING');
    expect(guild.codes).toContain('INVALID_FIELD_SHARING');
  });

  it.each([
    ['Unauthenticated with a code', 'SATISFIABILITY_ERROR'],
    ['FieldError with a field name', 'SATISFIABILITY_ERROR'],
    ['an SMS Otp', 'SATISFIABILITY_ERROR'],
    ['Error with more fields', 'INTERFACE_FIELD_NO_IMPLEM'],
  ] as const)('fails beside a neighbour with %s (%s): why the prefix exists', (name, code) => {
    const { apollo, guild } = composeWithBoth([otp(), subgraph('neighbour', OTHER_SHAPES[name])]);
    expect(apollo.codes).toEqual([code]);
    expect(guild.codes).toEqual([code]);
  });

  it('keeps @requiresScopes and @authenticated in the supergraph, for a router to enforce', () => {
    const { apollo, guild } = composeWithBoth([otp(), subgraph('neighbour', SAME_SHAPES['only Error and DateTime'])]);
    for (const supergraph of [apollo.supergraphSdl, guild.supergraphSdl]) {
      expect(supergraph).toMatch(/input: CreateOtpInput!\s*\): CreateOtpResult![^\n]* @requiresScopes\(scopes: \[\["user:otp:create"\]\]\)/);
      expect(supergraph).toMatch(/credentials: CredentialsResult![^\n]* @authenticated/);
    }
  });
});

describe('the prefixed SDL (GRAPHQL_TYPE_PREFIX=Pace)', () => {
  it.each(Object.entries({ ...OTHER_SHAPES, ...SAME_SHAPES }))('composes beside a neighbour with %s, with both libraries', (name, sdl) => {
    const { apollo, guild } = composeWithBoth([otp('Pace'), subgraph('neighbour', sdl)]);
    expect(apollo.messages, name).toEqual([]);
    expect(guild.messages, name).toEqual([]);
  });

  it('composes beside all the other-shape neighbours at once, with both libraries', () => {
    const neighbours = Object.entries(OTHER_SHAPES).map(([name, sdl], index) => subgraph(`n${index}-${name.replace(/\W+/g, '-')}`, sdl));
    const { apollo, guild } = composeWithBoth([otp('Pace'), ...neighbours]);
    expect(apollo.messages).toEqual([]);
    expect(guild.messages).toEqual([]);
    for (const supergraph of [apollo.supergraphSdl, guild.supergraphSdl]) {
      expect(supergraph).toMatch(/input: PaceCreateOtpInput!\s*\): PaceCreateOtpResult![^\n]* @requiresScopes/);
      expect(supergraph).toMatch(/union PaceCreateOtpResult\b[^=]*=[^\n]*\bPaceOtp\b/);
    }
  });
});

describe('createOtp through Hive Gateway with GRAPHQL_TYPE_PREFIX=Pace', () => {
  const setup = useSandboxedGateway({ GRAPHQL_TYPE_PREFIX: 'Pace', LOG_LEVEL: 'warn' });
  let federation: Supergraph;
  beforeAll(async () => {
    federation = await startSupergraph(setup.gateway.url);
    return () => federation.close();
  });

  const CREATE_OTP = /* GraphQL */ `
    mutation CreateOtp($input: PaceCreateOtpInput!) {
      createOtp(input: $input) {
        __typename
        ... on PaceOtp { otp expiresAt }
        ... on PaceError { message }
      }
    }
  `;

  it('serves the prefixed SDL and answers PaceOtp for the right PIN', async () => {
    const served = federation.subgraphs.find((s) => s.name === 'otp')?.typeDefs;
    expect(served && print(served)).toBe(print(parse(printSubgraphFile({ typePrefix: 'Pace' }))));
    const { body } = await graphql(federation.gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: bearer(DEMO.user.token) });
    expect(body.errors).toBeUndefined();
    expect(body.data?.['createOtp']).toMatchObject({ __typename: 'PaceOtp', otp: expect.stringMatching(/^\d{6}$/) });
  });

  it('answers the prefixed error types, `message` through `... on PaceError`', async () => {
    const { body } = await graphql(federation.gateway.url, CREATE_OTP, { variables: { input: { pin: '0000' } }, headers: bearer(DEMO.passwordOnly.token) });
    expect(body.data?.['createOtp']).toEqual({ __typename: 'PaceInvalidCredentials', message: expect.any(String) });
  });
});
