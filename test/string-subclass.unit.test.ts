/**
 * No package the gateway runs with declares a subclass of String. V8 then gives up its fast string
 * methods for the whole process: `charCodeAt` loops (undici's and pino's header and string handling,
 * OpenTelemetry's protobuf writer) ran 5-7 × slower once ioredis 6 was loaded, even with the memory
 * store, which cost every request ~15 % of the gateway's CPU (docs/performance.md). ioredis 5 has no
 * such class.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STRING_SUBCLASS = /\bclass\s+[\w$]+\s+extends\s+String\b/;

/** The installed folders of the production dependencies (what `npm ci --omit=dev` would keep). */
function productionPackages(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\n').filter((dir) => dir.includes('node_modules') || dir.includes('/vendor/'));
}

function scripts(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(c|m)?js$/.test(file) && !file.split('/').includes('node_modules'))
    .map((file) => join(dir, file));
}

describe('production dependencies', () => {
  it('declare no subclass of String', () => {
    const packages = productionPackages();
    expect(packages.length).toBeGreaterThan(50); // the list is real: yoga, pothos, undici, ioredis, …
    const offenders = packages.flatMap((dir) => scripts(dir).filter((file) => STRING_SUBCLASS.test(readFileSync(file, 'utf8'))));
    expect(offenders).toEqual([]);
  });
});
