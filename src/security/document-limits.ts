/**
 * What a document may cost, bounded before graphql-js validates anything: tokens while parsing,
 * field selections right after. Validation is not linear: `OverlappingFieldsCanBeMerged` compares the fields
 * of a selection set pairwise, so ~1,000 repeated fields (`{ __typename __typename … }`) cost
 * 45–65 ms each, enough for a few clients to starve everyone else. graphql-armor has no such count
 * (its cost rule runs inside validation, after a fragment defined first has been validated, and
 * weighs by depth); the count here is one walk over the parsed document.
 *
 * Tokens: graphql-js's own parser limit (`maxTokens`) rather than graphql-armor's, which wraps the
 * lexer in a Proxy and cost an eighth of the time spent refusing wide documents in the profile (docs/performance.md).
 */
import { GraphQLError, Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql';
import { requestError } from '../errors.js';
import type { Plugin } from 'graphql-yoga';

export interface DocumentLimits {
  readonly maxTokens: number;
  readonly maxFields: number;
  /** Aliases as written, `__typename` included (graphql-armor's alias limit skips `__typename`). */
  readonly maxAliases: number;
}

interface Counts {
  readonly fields: number;
  readonly aliases: number;
}

/** Counted documents (the parse cache hands out the same DocumentNode): walked once each. */
const counted = new WeakMap<DocumentNode, Counts>();

export function useDocumentLimits({ maxTokens, maxFields, maxAliases }: DocumentLimits): Plugin {
  const parseWithLimit: typeof parse = (source, options) => {
    try {
      return parse(source, { ...options, maxTokens });
    } catch (error) {
      // graphql-js words it "Document contains more that N tokens"; say it as the other limits do.
      if (error instanceof GraphQLError && /contains more th[ae]t \d+ tokens/.test(error.message)) {
        throw requestError('GRAPHQL_PARSE_FAILED', `Syntax Error: Token limit of ${maxTokens} exceeded.`, { status: 400 });
      }
      throw error;
    }
  };
  return {
    onParse({ setParseFn }) {
      setParseFn(parseWithLimit);
      return ({ result, replaceParseResult }) => {
        if (result === null || result instanceof Error) return;
        const document = result as DocumentNode;
        let counts = counted.get(document);
        if (counts === undefined) {
          counts = countSelections(document);
          counted.set(document, counts);
        }
        const refusal =
          counts.fields > maxFields
            ? `Field selections limit of ${maxFields} exceeded, found ${counts.fields}.`
            : counts.aliases > maxAliases
              ? `Aliases limit of ${maxAliases} exceeded, found ${counts.aliases}.`
              : undefined;
        if (refusal !== undefined) {
          replaceParseResult(requestError('GRAPHQL_PARSE_FAILED', `Syntax Error: ${refusal}`, { status: 400 }));
        }
      };
    },
  };
}

/** Field nodes and aliases in the document, `__typename` included, fragments counted once as written. */
export function countSelections(document: DocumentNode): Counts {
  let fields = 0;
  let aliases = 0;
  const pending: SelectionSetNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) pending.push(definition.selectionSet);
  }
  for (let set = pending.pop(); set !== undefined; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        fields += 1;
        if (selection.alias) aliases += 1;
      }
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) pending.push(selection.selectionSet);
    }
  }
  return { fields, aliases };
}
