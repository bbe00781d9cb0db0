/**
 * The promise helpers Yoga and envelop run every request through are the backport in
 * vendor/whatwg-node-promise-helpers (its README says why): one copy for the whole tree, the fake
 * promises built from classes (2.0's change, 30–48 µs a request under load), and 1.x's
 * mapMaybePromise still there for @envelop/core.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const VENDORED = fileURLToPath(new URL('../vendor/whatwg-node-promise-helpers/', import.meta.url));
const requireHere = createRequire(import.meta.url);

/** Where `@whatwg-node/promise-helpers` resolves from inside a package, as Node loads it. */
function helpersSeenBy(pkg: string): string {
  const requireThere = createRequire(requireHere.resolve(pkg));
  return realpathSync(requireThere.resolve('@whatwg-node/promise-helpers'));
}

/** The module Yoga's ESM build imports (the package is not a dependency of the gateway itself). */
const helpers = () => import(pathToFileURL(join(dirname(dirname(helpersSeenBy('graphql-yoga'))), 'esm/index.js')).href) as Promise<typeof import('../vendor/whatwg-node-promise-helpers/typings/index.js')>;

describe('@whatwg-node/promise-helpers', () => {
  it('is the vendored backport wherever Yoga, envelop and the server adapter load it', () => {
    for (const pkg of ['graphql-yoga', '@envelop/core', '@whatwg-node/server', '@graphql-tools/executor']) {
      expect(helpersSeenBy(pkg), pkg).toBe(`${VENDORED}cjs/index.js`);
    }
  });

  it('builds resolved and rejected fake promises from shared classes, not per-call literals', async () => {
    const { fakePromise, fakeRejectPromise } = await helpers();
    const resolved = [fakePromise(1), fakePromise('x'), fakePromise({})];
    for (const fake of resolved) expect(Object.getPrototypeOf(fake)).toBe(Object.getPrototypeOf(resolved[0]));
    expect(Object.getPrototypeOf(resolved[0])).not.toBe(Object.prototype);
    expect(Object.hasOwn(resolved[0]!, 'then')).toBe(false); // the method lives on the prototype
    expect(Object.prototype.toString.call(resolved[0])).toBe('[object Promise]');
    const rejected = fakeRejectPromise(new Error('no'));
    expect(Object.getPrototypeOf(rejected)).not.toBe(Object.prototype);
    await expect(Promise.resolve(rejected)).rejects.toThrow('no');
  });

  it("keeps 1.x's mapMaybePromise, which @envelop/core imports", async () => {
    const { mapMaybePromise } = await helpers();
    expect(mapMaybePromise(2, (value) => value * 3)).toBe(6);
    await expect(mapMaybePromise(Promise.resolve(2), (value) => value * 3)).resolves.toBe(6);
    await expect(mapMaybePromise(Promise.reject(new Error('no')), (value: number) => value, () => -1)).resolves.toBe(-1);
  });
});
