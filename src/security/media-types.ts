/**
 * Media types are case-insensitive (RFC 9110 §8.3.1), but Yoga's request parsers and result
 * processors compare them as written: `Content-Type: APPLICATION/JSON` got 415. The two headers that
 * carry media types are lower-cased before Yoga looks at them (parameter values included, which for
 * `charset` are case-insensitive too).
 */
import type { Plugin } from 'graphql-yoga';

const MEDIA_TYPE_HEADERS = ['content-type', 'accept'] as const;

export function useCaseInsensitiveMediaTypes(): Plugin {
  return {
    onRequest({ request }) {
      for (const name of MEDIA_TYPE_HEADERS) {
        const value = request.headers.get(name);
        if (value !== null && /[A-Z]/.test(value)) request.headers.set(name, value.toLowerCase());
      }
    },
  };
}
