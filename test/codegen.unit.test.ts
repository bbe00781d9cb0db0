/**
 * codegen.ts through GraphQL Code Generator itself: examples/gql/ is what it generates now (run
 * `npx graphql-codegen` after changing schema.graphql or an operation), DateTime is a string, and
 * strictScalars refuses a scalar without a mapping.
 */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { describe, expect, it } from 'vitest';
import config from '../codegen.js';

const GENERATION = { timeout: 60_000 };

/** codegen.ts with another `schema`. */
function withSchema(schema: string[]): Types.Config {
  return { ...config, schema, silent: true };
}

describe('codegen.ts', () => {
  it('generates examples/gql/ as committed', GENERATION, async () => {
    const files: Types.FileOutput[] = await generate({ ...config, silent: true }, false);
    expect(files.map((file) => file.filename).sort()).toEqual(['examples/gql/gql.ts', 'examples/gql/graphql.ts', 'examples/gql/index.ts']);
    for (const file of files) expect(readFileSync(file.filename, 'utf8'), file.filename).toBe(file.content);
  });

  it('types DateTime as string and the result union member by member', () => {
    const types = readFileSync('examples/gql/graphql.ts', 'utf8');
    expect(types).toContain("| { __typename: 'Otp', otp: string, expiresAt: string }");
    expect(types).toContain("| { __typename: 'InvalidCredentials', message: string, errorId: string | null }");
    expect(types).not.toMatch(/\bany\b|unknown;/);
  });

  it('refuses a custom scalar it has no mapping for (strictScalars)', GENERATION, async () => {
    const extended = 'test/fixtures/unmapped-scalar.graphql';
    await expect(generate(withSchema(['schema.graphql', extended]), false)).rejects.toThrow(/Unknown scalar type Money/);
  });
});
