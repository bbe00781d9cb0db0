/** The logger censors every field that could carry a secret, whoever logs it. */
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger, SECRET_FIELDS } from '../src/logger.js';

it.each(SECRET_FIELDS)('never prints the value of a "%s" field', (field) => {
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
  logger.info({ [field]: 'secret-value-1', nested: { ok: 1 } }, 'line');
  logger.info({ [field]: { deep: 'secret-value-2' } }, 'line');
  expect(lines).toHaveLength(2);
  expect(JSON.parse(lines[0] ?? '')).toMatchObject({ [field]: '[redacted]', nested: { ok: 1 } });
  expect(lines.join('')).not.toContain('secret-value');
});

it('keeps header names and censors credential headers, in `headers` and `req.headers`', () => {
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
  const sent = { Authorization: 'Bearer s3cr3t', cookie: 'sid=s3cr3t', 'x-request-id': 'r1' };
  logger.info({ headers: sent, req: { method: 'POST', url: '/graphql', headers: sent } }, 'line');
  const line = JSON.parse(lines[0] ?? '');
  expect(line.headers).toEqual({ Authorization: '[redacted]', cookie: '[redacted]', 'x-request-id': 'r1' });
  expect(line.req).toEqual({ method: 'POST', url: '/graphql', headers: { Authorization: '[redacted]', cookie: '[redacted]', 'x-request-id': 'r1' } });
  expect(lines[0]).not.toContain('s3cr3t');
});
