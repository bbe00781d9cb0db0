// Header parsing for the few rules the sandbox enforces (auth scheme, Content-Type, Accept).

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header, or undefined for anything else. */
export function tokenOfAuthorization(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
}

/** `application/json`, parameters such as `; charset=utf-8` allowed. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && mediaType(contentType) === 'application/json';
}

/**
 * Whether an Accept header allows `application/json`. No (or a blank) header accepts anything.
 * The most specific matching range decides (RFC 9110 §12.5.1), so
 * `application/json;q=0, *\/*` refuses JSON while `application/*;q=0.5` accepts it.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  let best: { specificity: number; quality: number } | undefined;
  for (const range of accept.split(',')) {
    const specificity = JSON_RANGES.indexOf(mediaType(range));
    if (specificity === -1 || (best !== undefined && best.specificity >= specificity)) continue;
    best = { specificity, quality: qualityOf(range) };
  }
  return best !== undefined && best.quality > 0;
}

// Ranges that match application/json, least specific first.
const JSON_RANGES = ['*/*', 'application/*', 'application/json'];

function mediaType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

function qualityOf(range: string): number {
  for (const parameter of range.split(';').slice(1)) {
    const match = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(parameter);
    if (match?.[1] !== undefined) return Number(match[1]) || 0; // NaN ("q=.") counts as refused
  }
  return 1;
}
