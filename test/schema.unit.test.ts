/** The schema as clients see it: schema.graphql is what the code builds, and every type is described. */
import { readFileSync } from 'node:fs';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSortedSchema } from '../src/schema/index.js';
import { printSchemaFile } from '../src/schema/print.js';

describe('schema.graphql', () => {
  it('matches the schema the code builds (run `npm run print-schema` after a change)', () => {
    expect(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')).toBe(printSchemaFile());
  });

  it('has the contract of the createOtp mutation', () => {
    const sdl = printSchemaFile();
    expect(sdl).toContain('createOtp(input: CreateOtpInput!): CreateOtpResult!');
    expect(sdl).toContain(
      'union CreateOtpResult = Forbidden | InvalidCredentials | InvalidInput | MissingLinkedIdentity | Otp | RateLimited | Unauthenticated',
    );
    expect(sdl).toMatch(/type Otp \{[^}]*expiresAt: DateTime![^}]*otp: String!/s);
    expect(sdl).toMatch(/input CreateOtpInput \{[^}]*password: String\n[^}]*pin: String\n/s);
    expect(sdl).toMatch(/type FieldError \{[^}]*message: String![^}]*path: \[String!\]!/s);
    expect(sdl).toMatch(/type RateLimited implements Error \{[^}]*message: String![^}]*retryAfterSeconds: Int\n/s);
    for (const name of ['InvalidCredentials', 'MissingLinkedIdentity', 'Unauthenticated', 'Forbidden']) {
      expect(sdl).toMatch(new RegExp(`type ${name} implements Error \\{[^}]*errorId: String\\n[^}]*message: String!`, 's'));
    }
  });

  it('describes every type and field', () => {
    const undocumented: string[] = [];
    for (const type of Object.values(buildSortedSchema().getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)) continue;
      if (!type.description) undocumented.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) undocumented.push(`${type.name}.${field.name}`);
      }
      if (isEnumType(type) || isUnionType(type)) continue;
    }
    expect(undocumented).toEqual([]);
  });
});
