import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import { DateTimeResolver } from 'graphql-scalars';
import type { GatewayContext } from '../context.js';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  // The contract's fields are non-null unless stated otherwise.
  DefaultFieldNullability: false;
  Scalars: { DateTime: { Input: Date; Output: Date } };
}>({
  // Federation goes after the plugins that wrap resolvers; it needs the directives plugin.
  plugins: [ErrorsPlugin, DirectivesPlugin, FederationPlugin],
  defaultFieldNullability: false,
  errors: { directResult: true },
});

builder.addScalarType('DateTime', DateTimeResolver);

// The root types, shared by every subgraph of a supergraph: no description here, or composition
// hints "inconsistent description" against the other subgraphs and our words would describe theirs.
builder.queryType({});
builder.mutationType({});
