/**
 * Structured JSON logs. Secrets are kept out by construction (nothing logs a request body, variables
 * or headers) and, as a second line, by pino's `redact` for every place one could hide.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

export const REDACT_PATHS = [
  'pin',
  'password',
  'otp',
  'token',
  'authorization',
  '*.pin',
  '*.password',
  '*.otp',
  '*.token',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'variables',
  '*.variables',
  'input',
  '*.input',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'pace-otp-gateway' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
