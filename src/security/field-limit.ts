/**
 * A cap on field selections per document, checked right after parsing and before graphql-js
 * validates anything. Validation is not linear: `OverlappingFieldsCanBeMerged` compares the fields
 * of a selection set pairwise, so ~1,000 repeated fields (`{ __typename __typename … }`) cost
 * 45–65 ms each, enough for a few clients to starve everyone else. graphql-armor has no such count
 * (its cost rule runs inside validation, after a fragment defined first has been validated, and
 * weighs by depth); the count here is one walk over the parsed document.
 */
import { GraphQLError, Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Counted documents (the parse cache hands out the same DocumentNode): walked once each. */
const counted = new WeakMap<DocumentNode, number>();

export function useFieldSelectionLimit(maxFields: number): Plugin {
  return {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result === null || result instanceof Error) return;
        const document = result as DocumentNode;
        let fields = counted.get(document);
        if (fields === undefined) {
          fields = countFields(document);
          counted.set(document, fields);
        }
        if (fields > maxFields) {
          replaceParseResult(
            new GraphQLError(`Syntax Error: Field selections limit of ${maxFields} exceeded, found ${fields}.`, {
              extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } },
            }),
          );
        }
      };
    },
  };
}

/** Every field node in the document, `__typename` and aliases included, fragments counted once as written. */
export function countFields(document: DocumentNode): number {
  let fields = 0;
  const pending: SelectionSetNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) pending.push(definition.selectionSet);
  }
  for (let set = pending.pop(); set !== undefined; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields += 1;
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) pending.push(selection.selectionSet);
    }
  }
  return fields;
}
