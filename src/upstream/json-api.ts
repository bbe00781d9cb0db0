/**
 * Tolerant reading of JSON:API error documents. The upstream is allowed to be sloppy (plain text,
 * empty bodies, missing members), so nothing here throws: unusable parts are simply dropped.
 */
export interface JsonApiError {
  readonly id?: string;
  readonly status?: string;
  readonly code?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly pointer?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const stringOrUndefined = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The `errors` of a JSON:API document, or [] for anything that is not one. */
export function parseJsonApiErrors(body: unknown): JsonApiError[] {
  if (!isObject(body) || !Array.isArray(body['errors'])) return [];
  const errors: JsonApiError[] = [];
  for (const entry of body['errors']) {
    if (!isObject(entry)) continue;
    const source = isObject(entry['source']) ? entry['source'] : {};
    const error: Record<string, string> = {};
    for (const [key, value] of [
      ['id', entry['id']],
      ['status', entry['status']],
      ['code', entry['code']],
      ['title', entry['title']],
      ['detail', entry['detail']],
      ['pointer', source['pointer']],
    ] as const) {
      const text = stringOrUndefined(value);
      if (text !== undefined) error[key] = text;
    }
    errors.push(error);
  }
  return errors;
}

/**
 * RFC 6901 pointer into the request body -> GraphQL input path: "/pin" -> ["input", "pin"],
 * "" or "/" (the whole document) -> ["input"].
 */
export function pointerToInputPath(pointer: string | undefined): string[] {
  if (pointer === undefined || pointer === '' || pointer === '/') return ['input'];
  const tokens = pointer.replace(/^\//, '').split('/');
  return ['input', ...tokens.map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))];
}
