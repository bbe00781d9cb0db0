/** Imports every schema area, then builds the schema. */
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './errors.js';
import './otp.js';
import './credentials.js';

let schema: GraphQLSchema | undefined;

/** The executable schema (built once, then shared). */
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema();
  return schema;
}

/** The client-facing schema, sorted: what schema.graphql holds. */
export function buildSortedSchema(): GraphQLSchema {
  return lexicographicSortSchema(buildSchema());
}
