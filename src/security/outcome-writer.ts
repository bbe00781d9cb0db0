/**
 * Writes each check's outcome to the guard's store, and loses none the store did not take (Redis
 * stopped, frozen, failing over): such an outcome is kept and written again, in order per account,
 * until the store takes it or it can no longer count (older than the window). Meanwhile the account
 * has unwritten outcomes and the guard admits none of its checks on this replica: the store may have
 * dropped the check's slot (expired, or lost with a restarted Redis) without counting its failure.
 *
 * Bounded: an account gets unwritten outcomes only from checks the store admitted (at most the limit
 * at a time) and is admitted nothing more until they are written; a slot given back without a result
 * (`other`, e.g. after a failed admission) is not retried on its own, as its slot expires by itself.
 */
import type { AttemptOutcome, GuardStore } from './guard-store.js';

interface Unwritten {
  readonly slot: string;
  readonly outcome: AttemptOutcome;
  /** When the check ended: after a window it can no longer count. */
  readonly at: number;
}

/** The first retry after this, then twice as long each time up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = 50;
/** Short, so the outcomes land within moments of the store answering again (before other replicas admit). */
const MAX_RETRY_MS = 400;

export class OutcomeWriter {
  readonly #store: GuardStore;
  readonly #windowSeconds: number;
  /** The accounts with outcomes the store has not taken, oldest first. */
  readonly #unwritten = new Map<string, Unwritten[]>();
  #closed = false;

  constructor(store: GuardStore, windowSeconds: number) {
    this.#store = store;
    this.#windowSeconds = windowSeconds;
  }

  /** True while an outcome of the account is not in the store. */
  hasUnwritten(account: string): boolean {
    return this.#unwritten.has(account);
  }

  /** Not awaited: the answer to the client must not wait for (or fail with) the store. */
  write(account: string, slot: string, outcome: AttemptOutcome): void {
    const ended = Date.now();
    const queue = this.#unwritten.get(account);
    if (queue !== undefined) {
      queue.push({ slot, outcome, at: ended }); // behind the account's unwritten outcomes, in order
      return;
    }
    this.#store.end(account, slot, outcome, this.#windowSeconds).catch(() => {
      // The store logged why. A slot given back without a result expires by itself (in-flight TTL).
      if (outcome !== 'other') this.#keep(account, { slot, outcome, at: ended });
    });
  }

  /** Stops retrying (shutdown): what is still unwritten is dropped. */
  close(): void {
    this.#closed = true;
    this.#unwritten.clear();
  }

  #keep(account: string, entry: Unwritten): void {
    if (this.#closed) return;
    const queue = this.#unwritten.get(account);
    if (queue === undefined) {
      const started = [entry];
      this.#unwritten.set(account, started);
      void this.#retry(account, started);
    } else {
      // A write that failed after a later outcome was queued: back in the order the checks ended.
      queue.push(entry);
      queue.sort((a, b) => a.at - b.at);
    }
  }

  async #retry(account: string, queue: Unwritten[]): Promise<void> {
    const windowMs = this.#windowSeconds * 1000;
    let delay = FIRST_RETRY_MS;
    while (queue.length > 0 && !this.#closed) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      const entry = queue[0]!;
      if (Date.now() - entry.at >= windowMs) {
        queue.shift(); // out of the window: it would count nothing
        continue;
      }
      try {
        // Safe to repeat: a write whose answer was lost may have been applied (GuardStore.end).
        await this.#store.end(account, entry.slot, entry.outcome, this.#windowSeconds);
        queue.splice(queue.indexOf(entry), 1);
        delay = FIRST_RETRY_MS;
      } catch {
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
    if (this.#unwritten.get(account) === queue) this.#unwritten.delete(account);
  }
}
