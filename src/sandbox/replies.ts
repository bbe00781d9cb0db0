import { newXid } from './xid.js';

/** A response the handlers decide on; server.ts writes it (adding Request-Id and Content-Length). */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ApiError {
  id: string;
  status: string;
  code: string;
  title: string;
  detail: string;
  source?: { pointer: string };
}

export const JSON_API_MEDIA_TYPE = 'application/vnd.api+json';

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** PACE's framework answers some auth failures with Go's http.Error: plain text plus a newline. */
export function plainTextReply(status: number, text: string): Reply {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    body: `${text}\n`,
  };
}

/** A JSON:API error document; every error gets its own fresh id (not the Request-Id). */
export function apiError(status: number, code: string, title: string, detail: string, pointer?: string): ApiError {
  const error: ApiError = { id: newXid(), status: String(status), code, title, detail };
  if (pointer !== undefined) error.source = { pointer };
  return error;
}

export function errorsReply(errors: [ApiError, ...ApiError[]], headers: Record<string, string> = {}): Reply {
  return {
    status: Number(errors[0].status),
    headers: { 'Content-Type': JSON_API_MEDIA_TYPE, ...headers },
    body: JSON.stringify({ errors }),
  };
}

export function errorReply(...args: Parameters<typeof apiError>): Reply {
  return errorsReply([apiError(...args)]);
}

// The errors the sandbox sends more than once, worded after PACE's reference page.
export const errors = {
  unauthorized: (): Reply =>
    errorsReply([apiError(401, 'unauthorized', 'Unauthorized', 'OAuth token missing or invalid: send "Authorization: Bearer <access token>"')], {
      'WWW-Authenticate': 'Bearer',
    }),
  missingLinkedIdentity: (): Reply =>
    errorReply(
      401,
      'missing-linked-identity',
      'Missing linked identity for authorized access',
      'Linked identity is needed to access this resource, please check why the user does not have a linked identity',
    ),
  notFound: (detail: string): Reply => errorReply(404, 'not-found', 'Resource not found', detail),
  methodNotAllowed: (allowed: string): Reply =>
    errorsReply([apiError(405, 'method-not-allowed', 'Method not allowed', `Allowed methods: ${allowed}`)], { Allow: allowed }),
  notAcceptable: (): Reply =>
    errorReply(406, 'not-acceptable', 'The specified accept header is invalid', 'The Accept header must allow application/json'),
  payloadTooLarge: (limitBytes: number): Reply =>
    errorReply(413, 'payload-too-large', 'Request body too large', `The request body must not exceed ${limitBytes} bytes`),
  unsupportedMediaType: (): Reply =>
    errorReply(415, 'unsupported-media-type', 'The specified content type header is invalid', 'The Content-Type header must be application/json'),
  internal: (): Reply => errorReply(500, 'internal-server-error', 'Internal server error', 'The sandbox failed to handle the request'),
};
