/**
 * The schema as clients see it: schema.graphql is what the code builds, and every type is described.
 * subgraph.graphql is the Federation v2 subgraph SDL the gateway serves as `{ _service { sdl } }`.
 */
import { readFileSync } from 'node:fs';
import { execute, isAbstractType, isInputObjectType, isInterfaceType, isObjectType, parse, validate, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { subgraphSchema, clientSchema } from '../src/schema/index.js';
import { printPossibleTypesFile, printSchemaFile, printSubgraphFile } from '../src/schema/print.js';
import { UnverifiedCallers } from '../src/security/callers.js';
import { defaultDocument } from '../src/graphiql.js';

describe('schema.graphql', () => {
  it('matches the schema the code builds (run `npm run print-schema` after a change)', () => {
    expect(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')).toBe(printSchemaFile());
  });

  it('has the contract of the createOtp mutation', () => {
    const sdl = printSchemaFile();
    const createOtp = clientSchema().getMutationType()?.getFields()['createOtp'];
    expect(String(createOtp?.type)).toBe('CreateOtpResult!');
    expect(createOtp?.args.map((arg) => `${arg.name}: ${String(arg.type)}`)).toEqual(['input: CreateOtpInput!']);
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

  it('describes every type, field and argument, except the root types a supergraph shares', () => {
    const undocumented: string[] = [];
    for (const type of Object.values(clientSchema().getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)) continue;
      if (!type.description && !ROOT_TYPES.includes(type.name)) undocumented.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) if (!arg.description) undocumented.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('leaves the root types undescribed: other subgraphs share them, composition would hint', () => {
    for (const schema of [subgraphSchema(), clientSchema()]) {
      expect([schema.getQueryType(), schema.getMutationType()].map((type) => type?.description ?? null)).toEqual([null, null]);
    }
  });

  it('holds no federation machinery', () => {
    const sdl = printSchemaFile();
    expect(sdl).not.toMatch(/_service|_Service|_Any|_entities|@link|link__|federation__/);
    expect(clientSchema().getDirectives().map((directive) => directive.name).sort()).toEqual(
      ['deprecated', 'include', 'oneOf', 'skip', 'specifiedBy'],
    );
  });
});

describe('subgraph.graphql', () => {
  it('matches the subgraph SDL the code builds (run `npm run print-schema` after a change)', () => {
    expect(readFileSync(new URL('../subgraph.graphql', import.meta.url), 'utf8')).toBe(printSubgraphFile());
  });

  it('is what the served schema answers to `{ _service { sdl } }`', async () => {
    const result = await execute({ schema: subgraphSchema(), document: parse('{ _service { sdl } }') });
    expect(result.errors).toBeUndefined();
    expect(`${(result.data?.['_service'] as { sdl: string }).sdl}\n`).toBe(printSubgraphFile());
  });

  it('is a Federation v2.6 subgraph without entities', () => {
    const sdl = printSubgraphFile();
    expect(sdl.split('\n').slice(0, 2).join('\n')).toBe(
      'extend schema\n  @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@authenticated", "@requiresScopes", "@shareable"])',
    );
    expect(sdl).not.toMatch(/@key|_entities|_Entity/);
  });

  it('serves the client-facing schema plus `_service` only', () => {
    const served = Object.keys(subgraphSchema().getTypeMap()).sort();
    const client = Object.keys(clientSchema().getTypeMap()).sort();
    expect(served).toEqual([...client, '_Service'].sort());
    expect(Object.keys(subgraphSchema().getQueryType()?.getFields() ?? {}).sort()).toEqual(['_service', 'credentials']);
  });

  it('marks every object value type @shareable, never the root types', () => {
    const sdl = printSubgraphFile();
    const objects = [...sdl.matchAll(/^type (\w+)([^{]*)\{/gm)].map(([, name, rest]) => [name, /@shareable/.test(rest ?? '')] as const);
    expect(objects.filter(([name]) => !ROOT_TYPES.includes(name ?? '')).every(([, shareable]) => shareable)).toBe(true);
    expect(objects.filter(([name]) => ROOT_TYPES.includes(name ?? ''))).toEqual([['Mutation', false], ['Query', false]]);
    expect(objects.length).toBe(11); // 9 value types and the 2 root types
  });

  it('lets a router enforce auth: @requiresScopes on createOtp, @authenticated on credentials', () => {
    const sdl = printSubgraphFile();
    expect(sdl).toMatch(/\): CreateOtpResult! @requiresScopes\(scopes: \[\["user:otp:create"\]\]\)\n/);
    expect(sdl).toContain('credentials: CredentialsResult! @authenticated\n');
  });
});

describe('possible-types.json', () => {
  it('matches the schema (run `npm run print-schema` after a change)', async () => {
    expect(readFileSync(new URL('../possible-types.json', import.meta.url), 'utf8')).toBe(await printPossibleTypesFile());
  });

  it('lists every member of every union and interface, in the fragment-matcher shape', () => {
    const shipped = JSON.parse(readFileSync(new URL('../possible-types.json', import.meta.url), 'utf8')) as unknown;
    expect(shipped).toEqual({ possibleTypes: possibleTypes(clientSchema()) });
    expect(Object.keys((shipped as { possibleTypes: object }).possibleTypes)).toEqual(['CreateOtpResult', 'CredentialsResult', 'Error']);
  });
});

describe('GRAPHQL_TYPE_PREFIX', () => {
  const prefixed = subgraphSchema({ typePrefix: 'Pace' });
  const OWN = ['CreateOtpInput', 'CreateOtpResult', 'Credentials', 'CredentialsResult', 'Error', 'FieldError', 'Forbidden',
    'InvalidCredentials', 'InvalidInput', 'MissingLinkedIdentity', 'Otp', 'RateLimited', 'Unauthenticated'];

  it('prefixes every type the subgraph owns, and nothing else', () => {
    const names = Object.keys(prefixed.getTypeMap()).filter((name) => !name.startsWith('__')).sort();
    const plain = Object.keys(subgraphSchema().getTypeMap()).filter((name) => !name.startsWith('__')).sort();
    expect(names).toEqual(plain.map((name) => (OWN.includes(name) ? `Pace${name}` : name)).sort());
    expect(names).toEqual(expect.arrayContaining(['Query', 'Mutation', 'DateTime', '_Service', 'String', 'PaceCreateOtpInput', 'PaceError']));
  });

  it('keeps the fields, arguments and descriptions; only type names differ', () => {
    // Definition by definition: the order differs (`PaceOtp` sorts after `Mutation`, `Otp` before).
    const definitions = (sdl: string) => sdl.replace(/\bPace(?=[A-Z])/g, '').split(/\n\n(?=["a-z])/).map((definition) => definition.trim()).sort();
    expect(definitions(printSubgraphFile({ typePrefix: 'Pace' }))).toEqual(definitions(printSubgraphFile()));
    expect(definitions(printSchemaFile({ typePrefix: 'Pace' }))).toEqual(definitions(printSchemaFile()));
  });

  it('is what `_service { sdl }` answers, and the possible types follow', async () => {
    const result = await execute({ schema: prefixed, document: parse('{ _service { sdl } }') });
    expect(`${(result.data?.['_service'] as { sdl: string }).sdl}\n`).toBe(printSubgraphFile({ typePrefix: 'Pace' }));
    expect(JSON.parse(await printPossibleTypesFile({ typePrefix: 'Pace' }))).toEqual({ possibleTypes: possibleTypes(clientSchema({ typePrefix: 'Pace' })) });
    expect(Object.keys(possibleTypes(clientSchema({ typePrefix: 'Pace' })))).toEqual(['PaceCreateOtpResult', 'PaceCredentialsResult', 'PaceError']);
  });

  it("GraphiQL's first-tab document is valid against the schema served, with or without the prefix", () => {
    expect(validate(prefixed, parse(defaultDocument('Pace')))).toEqual([]);
    expect(validate(subgraphSchema(), parse(defaultDocument()))).toEqual([]);
  });

  it('resolves union members under their prefixed names', async () => {
    const result = await execute({
      schema: prefixed,
      document: parse('mutation { createOtp(input: {}) { __typename ... on PaceError { message } ... on PaceInvalidInput { fields { path } } } }'),
      // InvalidInput is found before any upstream call: no PACE client or PIN guard is needed.
      contextValue: { request: new Request('http://localhost/graphql', { headers: { authorization: 'Bearer x' } }), requestState: { results: [] }, callers: new UnverifiedCallers() },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ createOtp: { __typename: 'PaceInvalidInput', message: expect.any(String), fields: [{ path: ['input'] }] } });
  });
});

/** Abstract type -> member names, computed with graphql-js alone. */
function possibleTypes(schema: GraphQLSchema): Record<string, string[]> {
  return Object.fromEntries(
    Object.values(schema.getTypeMap())
      .filter(isAbstractType)
      .map((type) => [type.name, schema.getPossibleTypes(type).map((member) => member.name).sort()]),
  );
}

const ROOT_TYPES = ['Query', 'Mutation'];
