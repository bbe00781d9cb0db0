/**
 * Starts tracing when the settings say so. Off, the SDK is never loaded: ./tracing-sdk.js is
 * imported here, on start, only.
 */
import type { Logger } from '../logger.js';
import type { Tracing, TracingSettings } from './tracing.js';

/**
 * Loads and starts the SDK when tracing is on; undefined (and nothing loaded) when it is off.
 * The SDK's own warnings and errors (an unreachable collector, dropped spans) go to `logger`.
 */
export async function startTracing(settings: TracingSettings, logger?: Logger): Promise<Tracing | undefined> {
  if (!settings.enabled) return undefined;
  const { createTracing } = await import('./tracing-sdk.js');
  return createTracing(settings, logger);
}
