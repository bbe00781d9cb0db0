/**
 * The guard's store in Redis, so every replica behind a load balancer sees the same counts: each
 * begin and end is an entry of a script call (./redis-scripts.ts), bounded by one deadline. On a
 * standalone server the entries made in one turn of the event loop (one per request, many requests
 * at once) go in one call: one command, one reply, for all of them (docs/performance.md). On a cluster
 * each entry is a call of its own, as the keys of one call must share a slot. Finding the topology
 * and connecting is ./redis-connection.ts. Both keys of an account carry its hash tag, so each
 * entry's keys are on one cluster slot.
 */
import type { Result } from 'ioredis';
import type { Logger } from '../logger.js';
import { ThrottledErrorLog } from '../observability/throttled-log.js';
import type { Admission, AttemptOutcome, GuardStore } from './guard-store.js';
import { RedisConnection, type RedisClient } from './redis-connection.js';
import { GUARD } from './redis-scripts.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** One entry: its two keys, then the slot TTL (ms), then its four arguments (./redis-scripts.ts). */
    paceOtpGuard(keysAndArgs: (string | number)[]): Result<string, Context>;
    /** Any number of entries: their keys (two each), then the slot TTL (ms), then four arguments per entry. */
    paceOtpGuardBatch(numberOfKeys: number, keysAndArgs: (string | number)[]): Result<string, Context>;
  }
}

/** A begin's answer from the script: admitted 0/1, failures in the window, ms until free. */
type Answer = readonly [admitted: number, failures: number, resetInMs: number];

/** One begin or end waiting for its call: what the script needs, and whom to tell. */
interface Entry {
  readonly account: string;
  /** `begin`, or an end's outcome. */
  readonly what: 'begin' | AttemptOutcome;
  readonly limit: number;
  readonly windowMs: number;
  readonly slot: string;
  /** A begin's answer; an end's: nothing. */
  readonly resolve: (answer?: Answer) => void;
  readonly reject: (error: unknown) => void;
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
/** At most this many entries in one call: a call runs alone on Redis, so one batch must stay short. */
const MAX_BATCH = 100;

export class RedisGuardStore implements GuardStore {
  readonly #connection: RedisConnection;
  readonly #inFlightTtlMs: number;
  readonly #errors: ThrottledErrorLog;
  #ready: { readonly at: number; readonly result: Promise<boolean> } | undefined;
  /** The entries made in this turn of the event loop, sent together when it ends (#flush). */
  #pending: Entry[] = [];

  constructor({ seeds, inFlightTtlMs, logger }: RedisGuardStoreOptions) {
    if (!Number.isInteger(inFlightTtlMs) || inFlightTtlMs < 1) throw new TypeError(`RedisGuardStore: inFlightTtlMs must be a positive integer, got ${inFlightTtlMs}`);
    this.#inFlightTtlMs = inFlightTtlMs;
    this.#errors = new ThrottledErrorLog(logger, 'Redis: the PIN guard store failed');
    this.#connection = new RedisConnection({ seeds, commandTimeoutMs: COMMAND_TIMEOUT_MS, prepare: defineScripts, onError: (error) => this.#report(error) });
    void this.#connection.client().catch(() => undefined); // connect at start; failures are logged and retried on use
  }

  async begin(account: string, slot: string, limit: number, windowSeconds: number): Promise<Admission> {
    const [admitted, failures, resetInMs] = (await this.#enqueue(account, 'begin', limit, windowSeconds, slot))!;
    return admitted === 1 ? ADMITTED : { admitted: false, failures, resetInMs: Math.max(0, resetInMs) };
  }

  async end(account: string, slot: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    await this.#enqueue(account, outcome, 0, windowSeconds, slot);
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

  /** An entry for the next call, sent when this turn of the event loop ends (setImmediate). */
  #enqueue(account: string, what: Entry['what'], limit: number, windowSeconds: number, slot: string): Promise<Answer | undefined> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ account, what, limit, windowMs: windowSeconds * 1000, slot, resolve, reject }) === 1) setImmediate(this.#flush);
    });
  }

  /**
   * Sends the waiting entries, in the order they came: in calls of up to MAX_BATCH on a connected
   * standalone server, one call each on a cluster (or before the connection is made). The connection
   * keeps the order of the calls, so an end is run after its begin. A call that fails (timed out,
   * refused) fails each of its entries: the guard fails their checks closed, as it did one by one.
   */
  readonly #flush = (): void => {
    const entries = this.#pending;
    this.#pending = [];
    const batch = this.#connection.standalone === undefined ? 1 : MAX_BATCH;
    for (let start = 0; start < entries.length; start += batch) {
      const call = entries.slice(start, start + batch);
      const args = argumentsOf(call, this.#inFlightTtlMs);
      this.#run((client) => (batch === 1 ? client.paceOtpGuard(args) : client.paceOtpGuardBatch(2 * call.length, args))).then(
        (reply) => answer(call, reply),
        (error: unknown) => call.forEach((entry) => entry.reject(error)),
      );
    }
  };

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

const ADMITTED: Admission = { admitted: true };

/**
 * The script's keys and arguments for these entries (./redis-scripts.ts): each account's two keys,
 * `{account}` being the hash tag that puts both on one cluster slot; the slot TTL; four per entry.
 */
function argumentsOf(entries: readonly Entry[], ttlMs: number): (string | number)[] {
  const keys: (string | number)[] = [];
  const args: (string | number)[] = [ttlMs];
  for (const { account, what, limit, windowMs, slot } of entries) {
    keys.push(`${PREFIX}{${account}}:failures`, `${PREFIX}{${account}}:inflight`);
    args.push(what, limit, windowMs, slot);
  }
  return keys.concat(args);
}

/** Tells each entry its answer: the script's reply has three numbers per begin, in order, none per end. */
function answer(entries: readonly Entry[], reply: string): void {
  const numbers = reply.split(' ');
  let at = 0;
  for (const entry of entries) {
    if (entry.what !== 'begin') entry.resolve();
    else {
      entry.resolve([Number(numbers[at]), Number(numbers[at + 1]), Number(numbers[at + 2])]);
      at += 3;
    }
  }
}

/**
 * Registered once per client: ioredis sends EVALSHA and reloads the script on NOSCRIPT (a restarted or
 * new node). One script, two commands: a single entry's keys come first in the call, which is what a
 * cluster's auto-pipelining routes by (a leading number of keys would send the calls of different
 * slots to one node); a batch's number of keys is its call's first argument.
 */
function defineScripts(client: RedisClient): void {
  client.defineCommand('paceOtpGuard', { numberOfKeys: 2, lua: GUARD });
  client.defineCommand('paceOtpGuardBatch', { lua: GUARD });
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
