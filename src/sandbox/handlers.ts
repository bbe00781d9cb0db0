import { randomInt } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { acceptsJson, tokenOfAuthorization, isJsonContentType } from './negotiation.js';
import { apiError, errors, errorsReply, jsonReply, plainTextReply, type ApiError, type Reply } from './replies.js';
import { verifySecret } from './secrets.js';
import type { TokenIssuer } from './tokens.js';
import { findAccountBySub, SCOPE_CREATE_OTP, SCOPE_READ_USER, type Account } from './users.js';

export const MAX_BODY_BYTES = 64 * 1024;

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  bodyTooLarge: boolean;
  query: URLSearchParams;
}

export interface HandlerSettings {
  otpTtlSeconds: number;
  /** Whose signatures make a token valid; its issuer is the one the realm's documents name. */
  tokens: TokenIssuer;
}

type Gate = { account: Account } | { reply: Reply };

/**
 * The authorization rules, in the order PACE's framework applies them: a missing or non-Bearer
 * Authorization header is a JSON:API 401, but a token that is not validly signed (or expired, or of
 * an unknown user) and a missing scope are answered in plain text (pace/bricks writes those with
 * Go's http.Error).
 */
async function authorize(headers: IncomingHttpHeaders, scope: string, tokens: TokenIssuer): Promise<Gate> {
  const token = tokenOfAuthorization(headers.authorization);
  if (token === undefined) return { reply: errors.unauthorized() };
  const claims = await tokens.verify(token);
  const account = findAccountBySub(claims?.['sub']);
  if (claims === undefined || account === undefined) return { reply: plainTextReply(401, 'Unauthorized') };
  const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(' ') : [];
  if (!scopes.includes(scope)) return { reply: plainTextReply(403, `Forbidden - requires scope ${scope}`) };
  return { account };
}

/** `POST /user/otp`: verify the password (first) or the PIN, then issue a 6-digit OTP. */
export async function handleCreateOtp(request: ReceivedRequest, settings: HandlerSettings): Promise<Reply> {
  const gate = await authorize(request.headers, SCOPE_CREATE_OTP, settings.tokens);
  if ('reply' in gate) return gate.reply;
  if (!isJsonContentType(request.headers['content-type'])) return errors.unsupportedMediaType();
  if (!acceptsJson(request.headers.accept)) return errors.notAcceptable();
  if (!gate.account.linkedIdentity) return errors.missingLinkedIdentity();
  if (request.bodyTooLarge) return errors.payloadTooLarge(MAX_BODY_BYTES);

  const credentials = parseCredentials(request.body);
  if (Array.isArray(credentials)) return errorsReply(credentials);
  if (!(await credentialsMatch(gate.account, credentials))) {
    // Deliberately vague, and never echoing what was submitted: both SDKs read 404 as "wrong PIN/password".
    return errors.notFound('No user found for the given PIN or password');
  }

  const otp = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = new Date(Date.now() + settings.otpTtlSeconds * 1000).toISOString();
  return jsonReply(201, { otp, expiresAt }, { 'Cache-Control': 'no-store' }); // the OTP is a credential
}

/** `GET /user/pin-or-password`: which credentials the user has set. */
export async function handlePinOrPassword(request: ReceivedRequest, settings: HandlerSettings): Promise<Reply> {
  const gate = await authorize(request.headers, SCOPE_READ_USER, settings.tokens);
  if ('reply' in gate) return gate.reply;
  if (!acceptsJson(request.headers.accept)) return errors.notAcceptable();
  if (!gate.account.linkedIdentity) return errors.missingLinkedIdentity();
  return jsonReply(200, { pin: gate.account.pin !== undefined, password: gate.account.password !== undefined });
}

interface Credentials {
  pin?: string;
  password?: string;
}

/** The body must be a JSON object with `pin` and/or `password` strings; "" and null count as absent (else 422). */
function parseCredentials(body: string): Credentials | [ApiError, ...ApiError[]] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return [apiError(422, 'invalid-json', 'Invalid JSON', 'The request body is not valid JSON', '/')];
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [apiError(422, 'invalid-type', 'Invalid type', 'The request body must be a JSON object', '/')];
  }

  const credentials: Credentials = {};
  const problems: ApiError[] = [];
  for (const field of ['pin', 'password'] as const) {
    const raw: unknown = Object.hasOwn(value, field) ? (value as Record<string, unknown>)[field] : undefined;
    if (raw === undefined || raw === null || raw === '') continue;
    if (typeof raw === 'string') credentials[field] = raw;
    else problems.push(apiError(422, 'invalid-type', 'Invalid type', `${field} must be a string`, `/${field}`));
  }
  const [first, ...rest] = problems;
  if (first !== undefined) return [first, ...rest];
  if (credentials.pin === undefined && credentials.password === undefined) {
    return [apiError(422, 'required', 'Missing credential', 'Either pin or password is required', '/')];
  }
  return credentials;
}

/** As PACE's reference page says: "First check is on the password, 2nd on the PIN". One match is enough. */
async function credentialsMatch(account: Account, { pin, password }: Credentials): Promise<boolean> {
  if (password !== undefined && (await verifySecret(account.password, password))) return true;
  return pin !== undefined && (await verifySecret(account.pin, pin));
}
