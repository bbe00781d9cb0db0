import { printSubgraphSchema } from '@apollo/subgraph';
import { printSchema } from 'graphql';
import { buildSchema, buildSortedSchema } from './index.js';

/** The text of schema.graphql: the client-facing schema. */
export function printSchemaFile(): string {
  return `${printSchema(buildSortedSchema())}\n`;
}

/**
 * The text of subgraph.graphql: the subgraph SDL a supergraph is composed from, as
 * `{ _service { sdl } }` answers it. printSubgraphSchema keeps the `@link`; printSchema would drop it.
 */
export function printSubgraphFile(): string {
  return `${printSubgraphSchema(buildSchema())}\n`;
}
