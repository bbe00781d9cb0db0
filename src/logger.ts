/**
 * Structured JSON logs. Secrets are kept out by construction (nothing logs a request body,
 * variables or headers) and, as a second line, by configuration: every log field that could hold
 * one is censored by a pino serializer, whoever logs it.
 *
 * Serializers rather than pino's `redact`: `redact` re-parses its paths and clones the object on
 * every line, which cost more than the rest of the request log in the profile (docs/performance.md);
 * a serializer is one lookup per field.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Log fields whose value is never printed. */
export const SECRET_FIELDS = ['pin', 'password', 'otp', 'token', 'authorization', 'cookie', 'variables', 'input', 'body', 'query'] as const;
const CENSOR = '[redacted]';
const censor = () => CENSOR;

/** Headers keep their names, lose the values of the ones that carry credentials. */
function headers(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return CENSOR;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const name of Object.keys(copy)) if (/^(authorization|cookie|set-cookie|proxy-authorization)$/i.test(name)) copy[name] = CENSOR;
  return copy;
}

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'pace-otp-gateway' },
    serializers: {
      ...Object.fromEntries(SECRET_FIELDS.map((field) => [field, censor])),
      headers,
      req: (req: { method?: unknown; url?: unknown; headers?: unknown }) => ({ method: req?.method, url: req?.url, headers: headers(req?.headers) }),
      err: pino.stdSerializers.err,
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(options, destination ?? stdoutInBatches());
}

/** Log lines are written to stdout in batches of about this many bytes (about 15 request lines)… */
export const LOG_BATCH_BYTES = 4096;
/** …and at least this often, and at exit. */
export const LOG_FLUSH_INTERVAL_MS = 100;

let stdout: pino.DestinationStream | undefined;

/**
 * One write per batch instead of one per line: a write to stdout is a system call, and one per
 * request was a measurable part of a request's cost (docs/performance.md). The price, decided and
 * bounded: a process killed without running its exit handlers (SIGKILL, the OOM killer, a native
 * crash) loses the lines of the last LOG_FLUSH_INTERVAL_MS, at most LOG_BATCH_BYTES. A normal exit,
 * an uncaught exception and every `fatal` line flush synchronously. One stream per process, however
 * many gateways it builds.
 */
function stdoutInBatches(): pino.DestinationStream {
  if (stdout === undefined) {
    const stream = pino.destination({ dest: 1, sync: true, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
    process.once('exit', () => stream.flushSync());
    stdout = stream;
  }
  return stdout;
}
