/**
 * One log line and one metric per GraphQL request (the state it reads is kept by ./request-state.ts).
 * Put it after useRequestState: it only reads.
 */
import { Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from './metrics.js';
import { getRequestState } from './request-state.js';

export interface RequestLogOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
}

/** Operation names are the client's text: a log line keeps at most this many characters of one. */
export const MAX_LOGGED_OPERATION_NAME = 100;

export function useRequestLog({ logger, metrics }: RequestLogOptions): Plugin {
  return {
    onExecute({ args }) {
      // The name the client gave, else the one in the document (clients often send only the query).
      const state = getRequestState(args.contextValue as object);
      const name = args.operationName ?? operationName(args.document);
      if (state) state.operationName = name !== undefined && name.length > MAX_LOGGED_OPERATION_NAME ? `${name.slice(0, MAX_LOGGED_OPERATION_NAME)}…` : name;
    },
    onResultProcess({ serverContext, result }) {
      // Requests refused before execution (parse, validation, limits) have no resolver result.
      const state = getRequestState(serverContext);
      if (state && state.results.length === 0 && !Array.isArray(result) && 'errors' in result && result.errors?.length) {
        const code = result.errors[0]?.extensions?.['code'];
        state.results.push(typeof code === 'string' ? code : 'GRAPHQL_REQUEST_ERROR');
      }
    },
    onResponse({ serverContext, response }) {
      // Probes, /health and the GraphiQL page never started a request state: no log line for them.
      const state = getRequestState(serverContext);
      if (state === undefined) return;
      const result = state.results.length === 0 ? 'none' : state.results.length === 1 ? state.results[0]! : state.results.join(',');
      metrics.request(result, response.status);
      const upstream = state.upstream;
      logger.info(
        {
          requestId: state.requestId,
          operationName: state.operationName,
          result,
          status: response.status,
          upstreamStatus: upstream?.status,
          upstreamMs: upstream === undefined ? undefined : Math.round(upstream.durationMs),
          upstreamCause: upstream?.cause,
          durationMs: Math.round(performance.now() - state.startedAt),
        },
        'request',
      );
    },
  };
}

function operationName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value;
  }
  return undefined;
}
