import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import { DateTimeResolver } from 'graphql-scalars';
import type { CREATE_OTP_SCOPE } from '../auth.js';
import type { GatewayContext } from '../context.js';

/**
 * A fresh builder: each type prefix (GRAPHQL_TYPE_PREFIX) gets its own, since Pothos fixes type
 * names when a type is declared.
 */
export function createBuilder() {
  const builder = new SchemaBuilder<{
    Context: GatewayContext;
    // The contract's fields are non-null unless stated otherwise.
    DefaultFieldNullability: false;
    Scalars: { DateTime: { Input: Date; Output: Date } };
    FederationScopes: typeof CREATE_OTP_SCOPE;
  }>({
    // Federation goes after the plugins that wrap resolvers; it needs the directives plugin.
    plugins: [ErrorsPlugin, DirectivesPlugin, FederationPlugin],
    defaultFieldNullability: false,
    errors: { directResult: true },
  });

  // Not prefixed: the DateTime of graphql-scalars is the one every neighbour shares.
  builder.addScalarType('DateTime', DateTimeResolver);

  // The root types, shared by every subgraph of a supergraph: no description here, or composition
  // hints "inconsistent description" against the other subgraphs and our words would describe theirs.
  builder.queryType({});
  builder.mutationType({});
  return builder;
}

export type Builder = ReturnType<typeof createBuilder>;

/**
 * The names of the types this subgraph owns: `named('Otp')` is `Otp`, or `PaceOtp` with the prefix
 * `Pace`. Root types, `DateTime` and federation's own types are never prefixed.
 */
export type TypeNamer = (name: string) => string;

export const typeNamer =
  (prefix: string): TypeNamer =>
  (name) =>
    `${prefix}${name}`;
