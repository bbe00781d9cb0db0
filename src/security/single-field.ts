import { Kind, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { requestError } from '../errors.js';

/**
 * At most one `fieldName` per mutation operation, counted through aliases, inline fragments and
 * fragment spreads: each createOtp is a credential check, and aliases would multiply guesses in one request.
 */
export function singleMutationFieldRule(fieldName: string): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      if (operation.operation !== 'mutation') return;
      if (countField(fieldName, operation.selectionSet, context, new Set()) > 1) {
        context.reportError(requestError('TOO_MANY_CREDENTIAL_CHECKS', `Only one ${fieldName} is allowed per operation.`, { nodes: operation }));
      }
    },
  });
}

function countField(fieldName: string, selectionSet: SelectionSetNode, context: ValidationContext, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === fieldName) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countField(fieldName, selection.selectionSet, context, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value); // fragment cycles are reported by graphql's own rule
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += countField(fieldName, fragment.selectionSet, context, seen);
    }
  }
  return count;
}
