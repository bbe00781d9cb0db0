/**
 * The request body size limit, as Yoga's own `maxRequestBodySize` but without its per-request
 * stream pipeline when Node has already framed the body. Node's HTTP parser reads exactly
 * Content-Length bytes and rejects requests that carry both Content-Length and Transfer-Encoding,
 * so a request served by node:http with a valid Content-Length within the limit cannot bring more.
 * Only bodies of unknown length (chunked, or requests built by an embedding host) are read with a cap.
 * Yoga's stream made bare Yoga 4-6 x slower per request in the bench (yoga-floor-framed, docs/performance.md).
 * graphql-yoga's repository has the same shortcut as a pending change (trusting Content-Length on every
 * runtime, a hand-built Request included); graphql-yoga 5.24.1, the newest release, still pipes. Drop this
 * plugin once a release the gateway can run has it.
 */
import type { Plugin } from 'graphql-yoga';
import { requestError } from '../errors.js';

const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () => requestError('REQUEST_ENTITY_TOO_LARGE', 'Request body too large', { status: 413 });

export function useRequestBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null) {
        if (!CONTENT_LENGTH.test(contentLength)) {
          throw requestError('BAD_REQUEST', 'Content-Length header is invalid.', { status: 400 });
        }
        if (Number(contentLength) > limit) throw tooLarge();
        if (isNodeRequest(serverContext)) return; // framed by Node: exactly contentLength bytes
      }
      if (requestParser === undefined || request.body === null) return;
      setRequestParser(async (original) => requestParser(await withCappedBody(original, limit, fetchAPI.Request)));
    },
  };
}

/** Served through node:http (Yoga passes the IncomingMessage as `req`). */
function isNodeRequest(serverContext: unknown): boolean {
  const req = (serverContext as { req?: { socket?: unknown; httpVersion?: unknown } } | undefined)?.req;
  return typeof req?.httpVersion === 'string' && req.socket !== undefined;
}

/** Reads the body up to `limit` bytes (413 beyond) into a new Request the parsers can read as usual. */
async function withCappedBody(request: Request, limit: number, RequestClass: typeof Request): Promise<Request> {
  const reader = request.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(next.value);
  }
  return new RequestClass(request.url, { method: request.method, headers: request.headers, body: Buffer.concat(chunks) });
}
