/** The in-memory store: a sliding window of failures and checks in flight, both per account. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryGuardStore } from '../src/security/guard-store.js';

const WINDOW = 900;
const account = 'acct';
let store: MemoryGuardStore;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  store = new MemoryGuardStore();
});
afterEach(async () => {
  await store.close();
  vi.useRealTimers();
});

/** A wrong PIN at `at` ms: one check, with a slot of its own. */
async function fail(at: number) {
  vi.setSystemTime(at);
  expect(await store.begin(account, `failed-at-${at}`, 5, WINDOW)).toMatchObject({ admitted: true });
  await store.end(account, `failed-at-${at}`, 'failure', WINDOW);
}

describe('MemoryGuardStore', () => {
  it('locks after five failures within the window and says honestly when it frees', async () => {
    for (let i = 0; i < 5; i += 1) await fail(i * 1000);
    vi.setSystemTime(10_000);
    // Free once the oldest failure (at 0 s) leaves the 900 s window.
    expect(await store.begin(account, 'slot', 5, WINDOW)).toEqual({ admitted: false, failures: 5, resetInMs: 890_000 });
  });

  it('slides: no burst of guesses fits across a window boundary', async () => {
    await fail(0);
    for (let i = 0; i < 4; i += 1) await fail(899_000 + i);
    vi.setSystemTime(900_001); // the first failure has left the window: one more guess, not five
    await fail(900_001);
    expect(await store.begin(account, 'slot', 5, WINDOW)).toMatchObject({ admitted: false, failures: 5 });
    vi.setSystemTime(1_799_001); // all of the burst has left
    expect(await store.begin(account, 'slot', 5, WINDOW)).toMatchObject({ admitted: true });
  });

  it('a success clears the failures; other outcomes leave them', async () => {
    for (let i = 0; i < 4; i += 1) await fail(i);
    expect(await store.begin(account, 'slot', 5, WINDOW)).toMatchObject({ admitted: true });
    await store.end(account, 'slot', 'other', WINDOW);
    expect(await store.begin(account, 'slot', 5, WINDOW)).toMatchObject({ admitted: true });
    await store.end(account, 'slot', 'success', WINDOW);
    for (let i = 0; i < 4; i += 1) await fail(10 + i);
    expect(await store.begin(account, 'slot', 5, WINDOW)).toMatchObject({ admitted: true });
  });

  it("counts the account's checks in flight against its failures, and gives slots back on end", async () => {
    for (let i = 0; i < 3; i += 1) await fail(i);
    expect(await store.begin(account, 'a', 5, WINDOW)).toMatchObject({ admitted: true });
    expect(await store.begin(account, 'b', 5, WINDOW)).toMatchObject({ admitted: true });
    expect(await store.begin(account, 'c', 5, WINDOW)).toEqual({ admitted: false, failures: 3, resetInMs: 0 });
    // Another account is untouched.
    expect(await store.begin('other', 'd', 5, WINDOW)).toMatchObject({ admitted: true });
    await store.end(account, 'a', 'other', WINDOW);
    expect(await store.begin(account, 'e', 5, WINDOW)).toMatchObject({ admitted: true });
  });
});

describe('MemoryGuardStore.end', () => {
  it('gives back only the slot it names: ending a slot never admitted frees no place of the checks in flight', async () => {
    for (let i = 0; i < 5; i += 1) expect(await store.begin(account, `in-flight-${i}`, 5, WINDOW)).toMatchObject({ admitted: true });
    await store.end(account, 'never-admitted', 'other', WINDOW);
    await store.end(account, 'in-flight-0', 'other', WINDOW);
    await store.end(account, 'in-flight-0', 'other', WINDOW); // twice: still one place
    expect(await store.begin(account, 'sixth', 5, WINDOW)).toMatchObject({ admitted: true });
    expect(await store.begin(account, 'seventh', 5, WINDOW)).toEqual({ admitted: false, failures: 0, resetInMs: 0 });
  });

  it('records a failure once per slot, also when repeated after a lost answer, and also when its slot is gone', async () => {
    expect(await store.begin(account, 'a', 5, WINDOW)).toMatchObject({ admitted: true });
    await store.end(account, 'a', 'failure', WINDOW);
    await store.end(account, 'a', 'failure', WINDOW); // a retried write
    await store.end(account, 'expired', 'failure', WINDOW); // a late outcome whose slot is no longer held
    for (const slot of ['b', 'c', 'd']) expect(await store.begin(account, slot, 5, WINDOW)).toMatchObject({ admitted: true });
    expect(await store.begin(account, 'e', 5, WINDOW)).toMatchObject({ admitted: false, failures: 2 });
  });
});
