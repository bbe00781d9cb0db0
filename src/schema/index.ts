/** Declares every schema area on a fresh builder, then builds the schemas (one pair per type prefix). */
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { createBuilder, typeNamer, type Builder } from './builder.js';
import { defineCredentials } from './credentials.js';
import { defineErrorTypes } from './errors.js';
import { defineCreateOtp } from './otp.js';

/**
 * The Apollo Federation version this subgraph speaks (2.5+ for `@authenticated` and
 * `@requiresScopes`). No entity: PACE resolves nothing by key, the subgraph has root fields only.
 */
export const FEDERATION_LINK_URL = 'https://specs.apollo.dev/federation/v2.6';

export interface SchemaOptions {
  /**
   * GRAPHQL_TYPE_PREFIX: prepended to every type this subgraph owns (`Pace` gives `PaceOtp`,
   * `PaceCreateOtpInput`, `PaceError`…), so a supergraph can hold neighbours that use the same
   * names. Root types, `DateTime` and federation's types keep their names. Default: none.
   */
  readonly typePrefix?: string | undefined;
}

interface Built {
  readonly builder: Builder;
  subgraph?: GraphQLSchema;
  client?: GraphQLSchema;
}

const built = new Map<string, Built>();

function declared(typePrefix = ''): Built {
  let entry = built.get(typePrefix);
  if (entry === undefined) {
    const builder = createBuilder();
    const named = typeNamer(typePrefix);
    defineErrorTypes(builder, named);
    defineCreateOtp(builder, named);
    defineCredentials(builder, named);
    entry = { builder };
    built.set(typePrefix, entry);
  }
  return entry;
}

/**
 * The executable schema the gateway serves (built once per prefix, then shared): a Federation v2
 * subgraph, i.e. the client-facing schema plus `_service { sdl }` and the schema's `@link`.
 */
export function subgraphSchema(options: SchemaOptions = {}): GraphQLSchema {
  const entry = declared(options.typePrefix);
  entry.subgraph ??= entry.builder.toSubGraphSchema({ linkUrl: FEDERATION_LINK_URL });
  return entry.subgraph;
}

/**
 * The client-facing schema, sorted: what schema.graphql holds. The same types and fields as
 * subgraphSchema() without the federation additions (`_service`, `_Service`, `@link`, the directives).
 */
export function clientSchema(options: SchemaOptions = {}): GraphQLSchema {
  const entry = declared(options.typePrefix);
  entry.client ??= lexicographicSortSchema(entry.builder.toSchema());
  return entry.client;
}
