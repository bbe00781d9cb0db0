/**
 * Where credential checks are counted, per account: confirmed failures within a window, and checks
 * in flight. In memory by default (one replica); Redis when replicas must share the counts.
 */
export type AttemptOutcome = 'failure' | 'success' | 'other';

export type Admission = { readonly admitted: true } | { readonly admitted: false; readonly failures: number; readonly resetInMs: number };

export interface FailureStore {
  /**
   * Atomically admits a check when confirmed failures + checks in flight stay under `limit`, and
   * then counts it as in flight. Refusing at that sum is what keeps parallel guesses from slipping
   * past the limit together.
   */
  begin(key: string, limit: number): Promise<Admission>;
  /** Ends an admitted check: a failure counts in the window (started by the first failure), a success clears it. */
  end(key: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void>;
  /** Whether the store can serve now (for /ready). */
  isReady(): boolean;
  close(): Promise<void>;
}

interface Entry {
  failures: number;
  /** When the failure window ends (0: no window). */
  expiresAt: number;
  inFlight: number;
}

export class MemoryFailureStore implements FailureStore {
  readonly #entries = new Map<string, Entry>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 60_000) {
    // Idle entries are dropped by this sweep, so memory stays bounded by the window.
    this.#sweeper = setInterval(() => this.#sweep(), sweepIntervalMs).unref();
  }

  async begin(key: string, limit: number): Promise<Admission> {
    const entry = this.#entry(key);
    if (entry.failures + entry.inFlight >= limit) {
      return { admitted: false, failures: entry.failures, resetInMs: Math.max(0, entry.expiresAt - Date.now()) };
    }
    entry.inFlight += 1;
    return { admitted: true };
  }

  async end(key: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    const entry = this.#entry(key);
    entry.inFlight = Math.max(0, entry.inFlight - 1);
    if (outcome === 'success') {
      entry.failures = 0;
      entry.expiresAt = 0;
    } else if (outcome === 'failure') {
      if (entry.failures === 0) entry.expiresAt = Date.now() + windowSeconds * 1000;
      entry.failures += 1;
    }
    if (entry.failures === 0 && entry.inFlight === 0) this.#entries.delete(key);
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  /** The live entry for `key`, with an ended window already cleared. */
  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { failures: 0, expiresAt: 0, inFlight: 0 };
      this.#entries.set(key, entry);
    } else if (entry.failures > 0 && entry.expiresAt <= Date.now()) {
      entry.failures = 0;
      entry.expiresAt = 0;
    }
    return entry;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.inFlight === 0 && entry.expiresAt <= now) this.#entries.delete(key);
  }
}
