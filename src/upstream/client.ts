/**
 * The undici client for PACE's user API. It sends exactly what PACE's own SDKs send, reads at most
 * `maxBodyBytes` of the answer within one overall deadline, and turns transport failures into
 * coded UpstreamErrors. What the answer *means* is decided in ./mapping.ts.
 *
 * Request ids, metrics, the log line and tracing attach through one `observer` handed in by the
 * composition root (as Hive Gateway's onFetch hook): this module imports none of them.
 */
import { Pool, type Dispatcher } from 'undici';
import { UpstreamBadResponseError, UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js';

export interface PaceClientOptions<C = unknown> {
  /** Base such as https://api.pace.cloud/user/2024-1 (path prefix kept). */
  readonly baseUrl: URL;
  /** Overall budget for one upstream call: connect, headers and body. */
  readonly timeoutMs: number;
  /** Cap on concurrent upstream connections (requests beyond it queue). */
  readonly connections: number;
  /** Largest body read from the upstream; more is a bad response. */
  readonly maxBodyBytes?: number;
  /** Told about every call; its `context` is the one each call carries (opaque here). */
  readonly observer?: UpstreamObserver<C> | undefined;
}

/** Per-call facts from the incoming request. */
export interface UpstreamCall<C = unknown> {
  /** The caller's Authorization header value, already checked to be a well-formed Bearer token. */
  readonly authorization: string;
  /** Handed to the observer as it is: the incoming request's state, for the composition root. */
  readonly context: C;
}

/** A call about to be sent, as the observer sees it. */
export interface UpstreamFetch<C> {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  readonly origin: string;
  /** The full path, base path included. */
  readonly path: string;
  /** The headers that go out: the observer may add its own (x-request-id, traceparent). */
  readonly headers: Record<string, string>;
  readonly context: C;
}

/** What one upstream call came to, told once when it settles. */
export interface UpstreamOutcome {
  readonly operation: string;
  /** HTTP status, or the error code when no usable answer arrived. */
  readonly status: number | string;
  readonly durationMs: number;
  /** The transport error's code (ECONNREFUSED, UND_ERR_SOCKET, …) when the call failed: for operators. */
  readonly cause: string | undefined;
}

export interface UpstreamObserver<C> {
  /** A call starts (a retry is part of it); returns what to tell, once, how it went. */
  onFetch(fetch: UpstreamFetch<C>): ((outcome: UpstreamOutcome) => void) | undefined;
}

export interface UpstreamResponse {
  readonly status: number;
  /** Parsed JSON when the body is JSON, else the text, else undefined for an empty body. */
  readonly body: unknown;
  readonly requestId: string | undefined;
  readonly retryAfter: string | undefined;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_ABORTED']);
const BAD_RESPONSE_CODES = new Set(['UND_ERR_HEADERS_OVERFLOW', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RES_EXCEEDED_MAX_SIZE']);

export class PaceClient<C = unknown> {
  readonly #pool: Pool;
  readonly #observer: UpstreamObserver<C> | undefined;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  #destroyed: Promise<void> | undefined;

  constructor(options: PaceClientOptions<C>) {
    const { baseUrl, timeoutMs, connections, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, observer } = options;
    if (!(baseUrl instanceof URL) || (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:')) {
      throw new TypeError('PaceClient: baseUrl must be an http(s) URL');
    }
    for (const [name, value] of [['timeoutMs', timeoutMs], ['connections', connections], ['maxBodyBytes', maxBodyBytes]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new TypeError(`PaceClient: ${name} must be a positive integer, got ${String(value)}`);
    }
    this.#origin = baseUrl.origin;
    this.#basePath = baseUrl.pathname.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
    this.#maxBodyBytes = maxBodyBytes;
    this.#observer = observer;
    this.#pool = new Pool(baseUrl.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      connect: { timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /** POST {base}/user/otp. Never retried: it may have created an OTP. */
  post(operation: string, path: string, call: UpstreamCall<C>, body: string): Promise<UpstreamResponse> {
    return this.#send(operation, 'POST', path, call, body, 0);
  }

  /** GET {base}{path}, retried once when the connection failed before any answer. */
  get(operation: string, path: string, call: UpstreamCall<C>): Promise<UpstreamResponse> {
    return this.#send(operation, 'GET', path, call, undefined, 1);
  }

  close(): Promise<void> {
    return this.#destroyed ?? this.#pool.close();
  }

  /**
   * Ends every call now (a shutdown out of time): running and queued calls fail as
   * UPSTREAM_UNAVAILABLE, instead of close() waiting for answers whose callers may be gone.
   */
  destroy(): Promise<void> {
    this.#destroyed ??= this.#pool.destroy(new UpstreamUnavailableError(new Error('the gateway is shutting down')));
    return this.#destroyed;
  }

  async #send(operation: string, method: 'GET' | 'POST', path: string, call: UpstreamCall<C>, body: string | undefined, retries: number): Promise<UpstreamResponse> {
    const started = performance.now();
    const deadline = started + this.#timeoutMs; // one budget for the call, retry included
    const headers: Record<string, string> = { authorization: call.authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const fullPath = this.#basePath + path;
    const done = this.#observer?.onFetch({ operation, method, origin: this.#origin, path: fullPath, headers, context: call.context });
    let status: number | string = 'UPSTREAM_UNAVAILABLE';
    let cause: string | undefined;
    try {
      for (let attempt = 0; ; attempt++) {
        const progress = { sent: false, answered: false };
        try {
          const response = await this.#exchange(method, fullPath, headers, body, deadline - performance.now(), progress);
          status = response.status;
          return response;
        } catch (error) {
          const mapped = toUpstreamError(error, progress.sent);
          // Retried only when nothing came back yet and time is left: never a half-read answer.
          const retry = attempt < retries && !progress.answered && mapped instanceof UpstreamUnavailableError && deadline - performance.now() > 0;
          if (!retry) throw mapped;
        }
      }
    } catch (error) {
      if (error instanceof UpstreamError) {
        status = error.status ?? error.code;
        const code = (error.cause as { code?: unknown } | undefined)?.code;
        if (typeof code === 'string') cause = code;
      }
      throw error;
    } finally {
      done?.({ operation, status, durationMs: performance.now() - started, cause });
    }
  }

  /**
   * One request with undici's `dispatch`: the answer is collected straight into a buffer list, with
   * no Readable stream per request (the stream and its listeners were most of the client's cost in
   * the profile, docs/performance.md). One deadline covers connect, headers and body; the body is capped as it arrives.
   */
  #exchange(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
    progress: { sent: boolean; answered: boolean },
  ): Promise<UpstreamResponse> {
    const maxBodyBytes = this.#maxBodyBytes;
    return new Promise((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let deadlinePassed = false;
      const timer = setTimeout(() => {
        deadlinePassed = true;
        if (controller) controller.abort(new UpstreamTimeoutError());
        else reject(new UpstreamTimeoutError(undefined, false)); // still queued behind UPSTREAM_CONNECTIONS: never sent
      }, timeoutMs);
      let status = 0;
      let responseHeaders: Record<string, string | string[] | undefined> = {};
      const chunks: Buffer[] = [];
      let size = 0;

      this.#pool.dispatch(
        { method, path, headers, body: body ?? null },
        {
          onRequestStart(started) {
            controller = started;
            // undici calls this on a connected socket, just before writing the request.
            if (deadlinePassed) started.abort(new UpstreamTimeoutError(undefined, false));
            else progress.sent = true;
          },
          onResponseStart(started, statusCode, received) {
            progress.answered = true;
            status = statusCode;
            responseHeaders = received;
            if (Number(headerValue(received['content-length'])) > maxBodyBytes) started.abort(new UpstreamBadResponseError());
          },
          onResponseData(started, chunk) {
            size += chunk.length;
            if (size > maxBodyBytes) started.abort(new UpstreamBadResponseError());
            else chunks.push(chunk);
          },
          onResponseEnd() {
            clearTimeout(timer);
            const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
            resolve({
              status,
              body: parseBody(text),
              requestId: headerValue(responseHeaders['request-id']),
              retryAfter: headerValue(responseHeaders['retry-after']),
            });
          },
          onResponseError(_controller, error) {
            clearTimeout(timer);
            reject(error);
          },
        },
      );
    });
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `sent`: whether the request reached a connected socket (see UpstreamError.requestSent). */
function toUpstreamError(error: unknown, sent: boolean): Error {
  if (error instanceof UpstreamError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (TIMEOUT_CODES.has(code)) return new UpstreamTimeoutError(error, sent);
    if (BAD_RESPONSE_CODES.has(code) || code.startsWith('HPE_')) return new UpstreamBadResponseError();
  }
  return new UpstreamUnavailableError(error instanceof Error ? error : undefined, sent);
}
