/** Headers every response carries: an answer may hold an OTP. */
import type { Plugin } from 'graphql-yoga';

export function useResponseHeaders(): Plugin {
  return {
    onResponse({ response }) {
      // No proxy or browser may keep an answer, and no browser may guess its type. Only GraphiQL's
      // content-hashed files say otherwise (immutable), so a Cache-Control already set is kept.
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-store');
      response.headers.set('x-content-type-options', 'nosniff');
    },
  };
}
