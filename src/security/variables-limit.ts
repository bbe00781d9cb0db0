/**
 * Variables are bounded before graphql-js sees them: at most `maxEntries` keys and list items in all,
 * at any depth. graphql-js coerces an input object with unknown keys by reporting each (up to 50), and
 * each report formats the whole submitted value: 1,500 unknown keys in `input` cost ~28 ms of CPU in
 * `getVariableValues`, about 14 times any other refused request. Here they are refused after one walk
 * that stops at the limit, before parsing, validation or coercion. Neither Yoga, envelop nor
 * graphql-armor bound variables (armor's limits weigh the document). No createOtp needs more than 3.
 */
import type { Plugin } from 'graphql-yoga';
import { requestError } from '../errors.js';

export function useVariablesLimit(maxEntries: number): Plugin {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError(`useVariablesLimit: maxEntries must be a positive integer, got ${maxEntries}`);
  return {
    onParams({ params }) {
      if (params.variables != null && exceeds(params.variables, maxEntries)) {
        throw requestError('VARIABLES_TOO_LARGE', `Variables limit of ${maxEntries} entries (keys and list items, at any depth) exceeded.`, { status: 400 });
      }
    },
  };
}

/** Whether `value` holds more than `max` keys and list items, counted until the limit is passed. */
function exceeds(value: unknown, max: number): boolean {
  let entries = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    for (const key in next) {
      entries += 1;
      if (entries > max) return true;
      pending.push((next as Record<string, unknown>)[key]);
    }
  }
  return false;
}
