/** Imports every schema area, then builds the schemas. */
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './errors.js';
import './otp.js';
import './credentials.js';

/**
 * The Apollo Federation version this subgraph speaks. No federation directive is imported: the
 * subgraph has no entities (PACE resolves nothing by key), only root fields.
 */
export const FEDERATION_LINK_URL = 'https://specs.apollo.dev/federation/v2.6';

let schema: GraphQLSchema | undefined;
let clientSchema: GraphQLSchema | undefined;

/**
 * The executable schema the gateway serves (built once, then shared): a Federation v2 subgraph,
 * i.e. the client-facing schema plus `_service { sdl }` and the schema's `@link`.
 */
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSubGraphSchema({ linkUrl: FEDERATION_LINK_URL });
  return schema;
}

/**
 * The client-facing schema, sorted: what schema.graphql holds. The same types and fields as
 * buildSchema() without the federation additions (`_service`, `_Service`, `@link`).
 */
export function buildSortedSchema(): GraphQLSchema {
  clientSchema ??= lexicographicSortSchema(builder.toSchema());
  return clientSchema;
}
