/**
 * Every validation rule the gateway adds, in one Yoga hook with the rules built once: graphql-armor's
 * depth, alias, directive and cost limits (its own rules), one createOtp per operation, and no
 * introspection when it is off (graphql-js's rule, the one Yoga's disable-introspection plugin adds).
 *
 * Why not graphql-armor's EnvelopArmorPlugin and Yoga's plugin: each of their limits is a plugin of its
 * own whose onValidate builds its rule anew on every request, and envelop hands every onValidate hook a
 * payload of five fresh closures, so six hooks cost a request some forty allocations for rules that
 * Yoga's validation cache then never runs (docs/performance.md, "Per-request plumbing"). The same rules
 * in one hook cost one.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { singleMutationFieldRule } from './single-field.js';

export interface ValidationLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
  readonly maxCost: number;
  /** The mutation field that may appear at most once per operation. */
  readonly singleMutationField: string;
  readonly introspection: boolean;
}

export function useValidationRules(limits: ValidationLimits): Plugin {
  const rules: ValidationRule[] = [
    maxDepthRule({ n: limits.maxDepth }),
    maxAliasesRule({ n: limits.maxAliases }),
    maxDirectivesRule({ n: limits.maxDirectives }),
    costLimitRule({ maxCost: limits.maxCost }),
    singleMutationFieldRule(limits.singleMutationField),
    ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}
