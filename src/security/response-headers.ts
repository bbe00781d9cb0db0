/** Headers every response carries: an answer may hold an OTP; and the drain's `Connection: close`. */
import type { Plugin } from 'graphql-yoga';

export interface ResponseHeadersOptions {
  /** True once the host drains: every response then says `Connection: close`. */
  readonly isShuttingDown?: () => boolean;
}

export function useResponseHeaders({ isShuttingDown = () => false }: ResponseHeadersOptions = {}): Plugin {
  return {
    onResponse({ response }) {
      // Checked as each answer leaves, so requests already running at SIGTERM get it too: their
      // client opens its next connection elsewhere.
      if (isShuttingDown()) response.headers.set('connection', 'close');
      // No proxy or browser may keep an answer, and no browser may guess its type. Only GraphiQL's
      // content-hashed files say otherwise (immutable), so a Cache-Control already set is kept.
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-store');
      response.headers.set('x-content-type-options', 'nosniff');
    },
  };
}
