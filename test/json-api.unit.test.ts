import { describe, expect, it } from 'vitest';
import { parseJsonApiErrors, pointerToInputPath } from '../src/upstream/json-api.js';
import { parseRetryAfter } from '../src/upstream/mapping.js';

describe('parseJsonApiErrors', () => {
  it('reads every member of a full error object', () => {
    const body = {
      errors: [
        {
          id: 'cbgmhslmp1o9or9kh1p0',
          links: { about: 'https://example.test' },
          status: '401',
          code: 'missing-linked-identity',
          title: 'Missing linked identity for authorized access',
          detail: 'Linked identity is needed',
          source: { pointer: '/pin', parameter: 'x' },
          meta: { a: 1 },
        },
      ],
    };
    expect(parseJsonApiErrors(body)).toEqual([
      {
        id: 'cbgmhslmp1o9or9kh1p0',
        status: '401',
        code: 'missing-linked-identity',
        title: 'Missing linked identity for authorized access',
        detail: 'Linked identity is needed',
        pointer: '/pin',
      },
    ]);
  });

  it.each([
    ['undefined (empty body)', undefined],
    ['plain text', 'Unauthorized'],
    ['null', null],
    ['an array', []],
    ['an object without errors', { message: 'x' }],
    ['errors that is not an array', { errors: 'nope' }],
    ['errors that is an object', { errors: { id: 'x' } }],
  ])('gives [] for %s', (_case, body) => {
    expect(parseJsonApiErrors(body)).toEqual([]);
  });

  it('skips entries that are not objects and members of the wrong type', () => {
    expect(parseJsonApiErrors({ errors: [null, 'x', 3, { id: 7, code: ['a'], title: '', detail: 'd', source: 'not-an-object' }] })).toEqual([{ detail: 'd' }]);
  });
});

describe('pointerToInputPath', () => {
  it.each([
    [undefined, ['input']],
    ['', ['input']],
    ['/', ['input']],
    ['/pin', ['input', 'pin']],
    ['/password', ['input', 'password']],
    ['/a~1b/c~0d', ['input', 'a/b', 'c~d']],
  ])('%s -> %j', (pointer, path) => {
    expect(pointerToInputPath(pointer)).toEqual(path);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [undefined, undefined],
    ['0', 0],
    ['120', 120],
    [' 30 ', 30],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['Thu, 01 Jan 2026 00:01:30 GMT', 90],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['99999999999999', 2_147_483_647],
    ['Fri, 01 Jan 9999 00:00:00 GMT', 2_147_483_647],
  ])('%j -> %j', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });
});
