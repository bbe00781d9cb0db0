/**
 * Trusted documents (TRUSTED_DOCUMENTS): an allow-list of the operations an app ships, loaded once at
 * start-up, served through Yoga's persisted-operations plugin. A request names its document by
 * `documentId` (GraphQL over HTTP) or `extensions.persistedQuery.sha256Hash` (Apollo); documents
 * outside the list are refused before parsing unless ALLOW_ARBITRARY_DOCUMENTS.
 */
import { readFileSync } from 'node:fs';
import { defaultExtractPersistedOperationId, usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { REQUEST_ERROR_CODES } from './errors.js';

/** Document id -> document text. */
export type TrustedDocuments = ReadonlyMap<string, string>;

/**
 * Reads either format: Apollo's persisted query manifest
 * (`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{id, body, …}]}`) or
 * GraphQL Code Generator's persisted-documents.json (`{"<hash>": "<document>"}`). On failure, the
 * problem for loadConfig to report: the file and what is wrong with it (never its content).
 */
export function readTrustedDocuments(path: string): TrustedDocuments | { readonly problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { problem: `TRUSTED_DOCUMENTS: cannot read ${path} as JSON (${(error as NodeJS.ErrnoException).code ?? 'invalid JSON'})` };
  }
  const documents = isApolloManifest(parsed) ? apolloManifestDocuments(parsed) : codegenDocuments(parsed);
  if (documents === undefined) {
    return {
      problem:
        `TRUSTED_DOCUMENTS: ${path} is neither an Apollo persisted query manifest (format "apollo-persisted-query-manifest", version 1) ` +
        'nor a GraphQL Code Generator persisted-documents.json ({"<hash>": "<document>"})',
    };
  }
  if (documents.size === 0) return { problem: `TRUSTED_DOCUMENTS: ${path} lists no document` };
  // Codegen writes `sha256:<hash>`, Apollo the bare hash: keyed by the hash, either is found.
  return new Map([...documents].map(([id, document]) => [bareHash(id), document]));
}

function isApolloManifest(value: unknown): value is { format: string; version: unknown; operations: unknown } {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === 'apollo-persisted-query-manifest';
}

function apolloManifestDocuments(manifest: { version: unknown; operations: unknown }): TrustedDocuments | undefined {
  if (manifest.version !== 1 || !Array.isArray(manifest.operations)) return undefined;
  const documents = new Map<string, string>();
  for (const operation of manifest.operations as unknown[]) {
    const { id, body } = (operation ?? {}) as { id?: unknown; body?: unknown };
    if (typeof id !== 'string' || typeof body !== 'string') return undefined;
    documents.set(id, body);
  }
  return documents;
}

function codegenDocuments(value: unknown): TrustedDocuments | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  if (!entries.every(([, document]) => typeof document === 'string')) return undefined;
  return new Map(entries as [string, string][]);
}

/** `documentId` from the body or the URL (`sha256:<hash>` or the bare hash), else Apollo's extension. */
function documentId(params: GraphQLParams, request: Request): string | null {
  const raw = (params as { documentId?: unknown }).documentId ?? new URL(request.url).searchParams.get('documentId');
  const id = typeof raw === 'string' && raw !== '' ? raw : defaultExtractPersistedOperationId(params, request, {});
  return id === null ? null : bareHash(id);
}

const bareHash = (id: string) => id.replace(/^sha256:/, '');

/** The refusals, coded like every other gateway error; all of them happen before parsing. */
export const TRUSTED_DOCUMENT_ERRORS = {
  // Apollo's persisted-queries link recognises this code (and retries with the document, which
  // ALLOW_ARBITRARY_DOCUMENTS then decides on).
  notFound: { message: 'The document id is not in this gateway’s trusted documents.', extensions: { code: REQUEST_ERROR_CODES.PERSISTED_QUERY_NOT_FOUND } },
  keyNotFound: {
    message: 'Name a trusted document: send `documentId` (or `extensions.persistedQuery.sha256Hash`).',
    extensions: { code: REQUEST_ERROR_CODES.PERSISTED_QUERY_ID_REQUIRED, http: { status: 400 } },
  },
  persistedQueryOnly: {
    message: 'Only trusted documents are accepted here: send the `documentId` of a listed document instead of the query.',
    extensions: { code: REQUEST_ERROR_CODES.PERSISTED_QUERY_ONLY, http: { status: 400 } },
  },
} as const;

export function useTrustedDocuments(documents: TrustedDocuments, allowArbitraryDocuments: boolean): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (id) => documents.get(id) ?? null,
    extractPersistedOperationId: documentId,
    allowArbitraryOperations: allowArbitraryDocuments,
    customErrors: TRUSTED_DOCUMENT_ERRORS,
  });
}
