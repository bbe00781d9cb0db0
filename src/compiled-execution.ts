/**
 * Execution by graphql-jit for the documents clients send again and again. An app sends the same
 * createOtp document on every call; graphql-jit compiles it once into a function that resolves that
 * selection without graphql-js's per-request walk of the document (about a tenth of a request's CPU
 * here: docs/performance.md, "Compiled execution").
 *
 * Compiling costs milliseconds, so it must not be something a client can ask for at will: a document
 * is compiled only once it has been executed COMPILE_AFTER_EXECUTIONS times. Ten thousand distinct
 * documents sent once each cost what they cost before; a client that wants a compile must send the
 * same document that many times. Counts are held per document object, which Yoga's parser cache
 * (1,000 documents) owns: they go when it drops the document. At most MAX_COMPILED_DOCUMENTS hold
 * compiled code at a time (about 40 KB each for createOtp, 200 KB for the largest document the
 * limits let through); a newer one pushes out the oldest, which starts counting again. A document
 * graphql-jit cannot compile keeps graphql-js's execution.
 *
 * Variables graphql-jit refuses (a PIN sent as a number, an unknown field) go back to graphql-js, which
 * refuses them too, before any resolver runs: the client gets graphql-js's messages and its 400, the
 * same whether or not the document was compiled yet.
 */
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { isPromise, makeExecute, type Plugin } from 'graphql-yoga';
import type { DocumentNode, ExecutionArgs, GraphQLSchema } from 'graphql';

/** A document runs through graphql-js this many times before it is compiled. */
export const COMPILE_AFTER_EXECUTIONS = 50;
/** Documents holding compiled code at a time: an app sends a handful. */
export const MAX_COMPILED_DOCUMENTS = 100;

export interface CompiledExecutionOptions {
  /** Executions before a document is compiled (≥ 1). Default: COMPILE_AFTER_EXECUTIONS. */
  readonly compileAfter?: number;
  /** Documents holding compiled code at a time (≥ 1). Default: MAX_COMPILED_DOCUMENTS. */
  readonly maxCompiled?: number;
  /** Told once per compile attempt: whether graphql-jit compiled the operation. */
  readonly onCompile?: (compiled: boolean) => void;
}

type Execute = (args: ExecutionArgs) => ReturnType<CompiledQuery['query']>;

/** Per document: executions so far, then per operation name its compiled execution (null: not compilable). */
interface DocumentState {
  executions: number;
  readonly compiled: Map<string, Execute | null>;
}

export function useCompiledExecution(options: CompiledExecutionOptions = {}): Plugin {
  const { compileAfter = COMPILE_AFTER_EXECUTIONS, maxCompiled = MAX_COMPILED_DOCUMENTS, onCompile } = options;
  for (const [name, value] of [['compileAfter', compileAfter], ['maxCompiled', maxCompiled]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`useCompiledExecution: ${name} must be a positive integer, got ${String(value)}`);
  }
  const documents = new WeakMap<DocumentNode, DocumentState>();
  /** The documents holding compiled code, oldest first. */
  const holding = new Map<DocumentNode, DocumentState>();

  function compiledFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): Execute | undefined {
    let state = documents.get(document);
    if (state === undefined) documents.set(document, (state = { executions: 0, compiled: new Map() }));
    if (state.executions < compileAfter) {
      state.executions++;
      return undefined;
    }
    const key = operationName ?? '';
    let compiled = state.compiled.get(key);
    if (compiled === undefined) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      compiled = isCompiledQuery(result) ? executeWith(result) : null;
      state.compiled.set(key, compiled);
      onCompile?.(compiled !== null);
      holding.set(document, state);
      if (holding.size > maxCompiled) forgetOldest();
    }
    return compiled ?? undefined;
  }

  function forgetOldest(): void {
    const [document, state] = holding.entries().next().value!;
    holding.delete(document);
    state.compiled.clear();
    state.executions = 0;
  }

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const compiled = compiledFor(args.schema, args.document, args.operationName);
      if (compiled === undefined) return;
      setExecuteFn(
        makeExecute((execution: ExecutionArgs) => {
          const result = compiled(execution);
          // Refused variables come back at once, without `data`: graphql-js answers them instead.
          return isPromise(result) || 'data' in result ? result : executeFn(execution);
        }),
      );
    },
  };
}

function executeWith(compiled: CompiledQuery): Execute {
  return (args) => compiled.query(args.rootValue, args.contextValue, args.variableValues);
}
