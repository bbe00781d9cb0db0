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
  return destination ? pino(options, destination) : pino(options);
}
