/**
 * bench/feature-costs.mjs takes one feature out of the gateway per variant by swapping a module (or a
 * package) for a stand-in (bench/lib/features.mjs). A stand-in that lacks something the gateway calls
 * breaks the run only when that call comes: the metrics stand-in lacked `documentCompiled` from the day
 * compiled execution landed until a run reached its first compile. Here each stand-in is loaded as the
 * bench loads it and held against the real module: every method of a real class, every function export
 * with the same name in the real module.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

interface Feature {
  readonly replace?: Readonly<Record<string, string>>;
}

const root = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository, so that a stand-in's own imports (prom-client, undici) resolve as in dist/.
const standIns = mkdtempSync(join(root, 'node_modules', '.bench-stand-ins-'));
afterAll(() => rmSync(standIns, { recursive: true, force: true }));

const { FEATURES } = (await import(pathToFileURL(join(root, 'bench/lib/features.mjs')).href)) as { FEATURES: Readonly<Record<string, Feature>> };
const replacements = Object.entries(FEATURES)
  .flatMap(([variant, feature]) => Object.entries(feature.replace ?? {}).map(([module, source]) => ({ variant, module, source })))
  .map((replacement, index) => ({ ...replacement, file: join(standIns, `${index}.mjs`) }));

/** The real module a stand-in replaces: src/ for a dist/ path, else the package. */
function realModule(module: string): Promise<Record<string, unknown>> {
  return module.endsWith('.js') ? import(pathToFileURL(join(root, 'src', module.replace(/\.js$/, '.ts'))).href) : import(module);
}

function loadStandIn(file: string, source: string): Promise<Record<string, unknown>> {
  writeFileSync(file, source);
  return import(pathToFileURL(file).href);
}

const isClass = (value: unknown): value is new (...args: unknown[]) => object =>
  typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));

function prototypeMethods(value: object | null): string[] {
  const names: string[] = [];
  for (let proto = value; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function') names.push(name);
    }
  }
  return names;
}

/** What a stand-in instance can be called with: its own fields (arrow functions) and its prototype's methods. */
function callable(instance: object): Set<string> {
  const own = Object.keys(instance).filter((name) => typeof (instance as Record<string, unknown>)[name] === 'function');
  return new Set([...own, ...prototypeMethods(Object.getPrototypeOf(instance))]);
}

describe('the bench\'s feature stand-ins (bench/lib/features.mjs)', () => {
  it('replace something', () => {
    expect(replacements.length).toBeGreaterThan(5);
  });

  for (const { variant, module, source, file } of replacements) {
    it(`${variant}: ${module} stands in for every method and function it replaces`, async () => {
      const [real, standIn] = await Promise.all([realModule(module), loadStandIn(file, source)]);
      for (const [name, replacement] of Object.entries(standIn)) {
        expect(typeof real[name], `${module} exports ${name}`).toBe(typeof replacement);
        if (!isClass(replacement)) continue;
        // The PaceClient stand-in reads a base URL and a pool size; the others take nothing.
        const instance = new replacement({ baseUrl: new URL('http://127.0.0.1:9/base'), connections: 1 });
        const standsInFor = callable(instance);
        const missing = prototypeMethods((real[name] as { prototype: object }).prototype).filter((method) => !standsInFor.has(method));
        await (instance as { close?: () => unknown }).close?.();
        expect(missing, `the ${name} stand-in lacks`).toEqual([]);
      }
    });
  }
});
