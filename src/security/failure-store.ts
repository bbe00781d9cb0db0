/**
 * Where failed credential checks are counted. In memory by default (one replica); Redis when
 * several replicas must share the counts (./redis-failure-store.ts).
 */
export interface FailureCount {
  readonly count: number;
  /** Milliseconds until the window (and so the count) expires; 0 when there is none. */
  readonly resetInMs: number;
}

export interface FailureStore {
  /** Adds one; the window starts with the first and is not extended by later ones. Atomic. */
  increment(key: string, windowSeconds: number): Promise<FailureCount>;
  /** Takes back one increment (an attempt that turned out not to be a failure). */
  decrement(key: string): Promise<void>;
  reset(key: string): Promise<void>;
  /** Whether the store can serve now (for /ready). */
  isReady(): boolean;
  close(): Promise<void>;
}

export class MemoryFailureStore implements FailureStore {
  readonly #entries = new Map<string, { count: number; expiresAt: number }>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 60_000) {
    // Expired entries are dropped lazily on read and by this sweep, so memory stays bounded by the window.
    this.#sweeper = setInterval(() => this.#sweep(), sweepIntervalMs).unref();
  }

  async increment(key: string, windowSeconds: number): Promise<FailureCount> {
    let entry = this.#live(key);
    if (entry === undefined) {
      entry = { count: 0, expiresAt: Date.now() + windowSeconds * 1000 };
      this.#entries.set(key, entry);
    }
    entry.count += 1;
    return { count: entry.count, resetInMs: entry.expiresAt - Date.now() };
  }

  async decrement(key: string): Promise<void> {
    const entry = this.#live(key);
    if (entry !== undefined) entry.count = Math.max(0, entry.count - 1);
  }

  async reset(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  #live(key: string) {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
