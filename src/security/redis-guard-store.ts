/**
 * The guard's store in Redis, so every replica behind a load balancer sees the same counts: two
 * script calls (./redis-scripts.ts), each bounded by one deadline. Finding the topology and
 * connecting is ./redis-connection.ts. Both keys of an account carry its hash tag, so each script
 * runs on one cluster slot.
 */
import type { Result } from 'ioredis';
import type { Logger } from '../logger.js';
import { ThrottledErrorLog } from '../observability/throttled-log.js';
import type { Admission, AttemptOutcome, GuardStore } from './guard-store.js';
import { RedisConnection, type RedisClient } from './redis-connection.js';
import { BEGIN, END } from './redis-scripts.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    paceOtpBegin(failures: string, inFlight: string, limit: number, windowMs: number, ttlMs: number, slot: string): Result<[number, number, number], Context>;
    paceOtpEnd(failures: string, inFlight: string, outcome: AttemptOutcome, windowMs: number, slot: string): Result<number, Context>;
  }
}

export interface RedisGuardStoreOptions {
  /** Seeds: a standalone server, or nodes of a cluster (redis:// or rediss://, credentials in the URL). */
  readonly seeds: readonly URL[];
  /** How long an in-flight slot may live: just longer than the longest check (a replica that dies mid-check must not hold it for ever). */
  readonly inFlightTtlMs: number;
  readonly logger: Logger;
}

/** Every store call settles within this, whatever Redis does: a stalled store must not hold a request. */
const COMMAND_TIMEOUT_MS = 1_000;
/** /ready reuses a round trip this recent, so probes do not load Redis. */
const READY_CACHE_MS = 1_000;
const PREFIX = 'pace-otp-gateway:';

export class RedisGuardStore implements GuardStore {
  readonly #connection: RedisConnection;
  readonly #inFlightTtlMs: number;
  readonly #errors: ThrottledErrorLog;
  #ready: { readonly at: number; readonly result: Promise<boolean> } | undefined;

  constructor({ seeds, inFlightTtlMs, logger }: RedisGuardStoreOptions) {
    if (!Number.isInteger(inFlightTtlMs) || inFlightTtlMs < 1) throw new TypeError(`RedisGuardStore: inFlightTtlMs must be a positive integer, got ${inFlightTtlMs}`);
    this.#inFlightTtlMs = inFlightTtlMs;
    this.#errors = new ThrottledErrorLog(logger, 'Redis: the PIN guard store failed');
    this.#connection = new RedisConnection({ seeds, commandTimeoutMs: COMMAND_TIMEOUT_MS, prepare: defineScripts, onError: (error) => this.#report(error) });
    void this.#connection.client().catch(() => undefined); // connect at start; failures are logged and retried on use
  }

  async begin(account: string, slot: string, limit: number, windowSeconds: number): Promise<Admission> {
    const [admitted, failures, resetInMs] = await this.#run((client) => client.paceOtpBegin(...keys(account), limit, windowSeconds * 1000, this.#inFlightTtlMs, slot));
    return admitted === 1 ? { admitted: true } : { admitted: false, failures, resetInMs: Math.max(0, resetInMs) };
  }

  async end(account: string, slot: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    await this.#run((client) => client.paceOtpEnd(...keys(account), outcome, windowSeconds * 1000, slot));
  }

  checkReady(): Promise<boolean> {
    const now = Date.now();
    if (this.#ready === undefined || now - this.#ready.at >= READY_CACHE_MS) {
      this.#ready = { at: now, result: this.#run(() => this.#connection.ping()).then(() => true, () => false) };
    }
    return this.#ready.result;
  }

  close(): Promise<void> {
    return this.#connection.close();
  }

  /** One store call: bounded in time; a failure is logged (one line per kind per 10 s) and rethrown. */
  async #run<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    try {
      // Hot path: a connected standalone client times out each command itself (commandTimeout, set when
      // the command is sent or queued offline), so the race would only add a timer per call.
      const standalone = this.#connection.standalone;
      return await (standalone === undefined ? this.#withDeadline(() => this.#connection.client().then(command)) : command(standalone));
    } catch (error) {
      this.#report(error);
      throw error;
    }
  }

  /** Cluster (or not yet connected): a command may wait for slots or a failover beyond commandTimeout. */
  async #withDeadline<T>(call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('Command timed out')), COMMAND_TIMEOUT_MS);
    });
    try {
      return await Promise.race([call(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  #report(error: unknown): void {
    const message = String((error as { message?: unknown })?.message ?? error).slice(0, 200);
    this.#errors.report(errorKind(error, message), message);
  }
}

/** An account's two keys; `{account}` is the hash tag that puts both on one cluster slot. */
function keys(account: string): [failures: string, inFlight: string] {
  return [`${PREFIX}{${account}}:failures`, `${PREFIX}{${account}}:inflight`];
}

/** Registered once per client: ioredis sends EVALSHA and reloads a script on NOSCRIPT (a restarted or new node). */
function defineScripts(client: RedisClient): void {
  client.defineCommand('paceOtpBegin', { numberOfKeys: 2, lua: BEGIN });
  client.defineCommand('paceOtpEnd', { numberOfKeys: 2, lua: END });
}

/** The kind of a store error, for one log line per kind: Redis's own error word, else what happened. */
export function errorKind(error: unknown, message: string): string {
  const word = /^([A-Z][A-Z_]{2,})\b/.exec(message)?.[1];
  if (word !== undefined) return word; // CROSSSLOT, MOVED, NOSCRIPT, CLUSTERDOWN, TRYAGAIN, READONLY, LOADING, NOAUTH, ERR …
  if (/timed out/i.test(message)) return 'TIMEOUT';
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') return code; // ECONNREFUSED, ECONNRESET, …
  return 'CONNECTION';
}
