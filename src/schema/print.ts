/** The texts of schema.graphql, subgraph.graphql and possible-types.json (scripts/print-schema.ts writes them). */
import { printSubgraphSchema } from '@apollo/subgraph';
import { plugin as fragmentMatcher } from '@graphql-codegen/fragment-matcher';
import { printSchema } from 'graphql';
import { subgraphSchema, clientSchema, type SchemaOptions } from './index.js';

/** The text of schema.graphql: the client-facing schema. */
export function printSchemaFile(options: SchemaOptions = {}): string {
  return `${printSchema(clientSchema(options))}\n`;
}

/**
 * The text of subgraph.graphql: the subgraph SDL a supergraph is composed from, as
 * `{ _service { sdl } }` answers it. printSubgraphSchema keeps the `@link`; printSchema would drop it.
 */
export function printSubgraphFile(options: SchemaOptions = {}): string {
  return `${printSubgraphSchema(subgraphSchema(options))}\n`;
}

/**
 * The text of possible-types.json: `{ "possibleTypes": { abstract type: [members] } }` for Apollo
 * Client's InMemoryCache, written by GraphQL Code Generator's own fragment-matcher plugin (sorted).
 * Without it Apollo Client cannot match `... on Error` and drops the fields silently.
 */
export async function printPossibleTypesFile(options: SchemaOptions = {}): Promise<string> {
  const content = await fragmentMatcher(clientSchema(options), [], { apolloClientVersion: 3, deterministic: true }, { outputFile: 'possible-types.json' });
  return `${typeof content === 'string' ? content : content.content}\n`;
}
