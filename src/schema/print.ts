import { printSchema } from 'graphql';
import { buildSortedSchema } from './index.js';

/** The text of schema.graphql. */
export function printSchemaFile(): string {
  return `${printSchema(buildSortedSchema())}\n`;
}
