/**
 * Request errors never repeat what the client sent. graphql-js and Yoga put submitted values into
 * messages (`Variable "$input" got invalid value { pin: "…", password: "…" }`, `String cannot
 * represent a non string value: 1234`, `found Int "1234"`) and Yoga attaches the JSON parser's message,
 * raw body included, as `extensions.originalError`; clients and routers log such errors. Messages are
 * rebuilt from their fixed parts only (names from the document and schema, paths, kinds): whatever
 * cannot be recognised loses its details rather than risk an echo.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const NAME = '[_A-Za-z][_0-9A-Za-z]*';
const TYPE = '[_A-Za-z][_0-9A-Za-z!\\[\\]]*';
/**
 * `Variable "$input" got invalid value <value>[ at "input.pin"]; <reason>` (graphql-js getVariableValues).
 * The reason is what follows the last "; ": should the value hold one, the reason is cut short and,
 * unrecognised, left out.
 */
const VARIABLE_VALUE = new RegExp(`^Variable "\\$(${NAME})" got invalid value .*?(?: at "((?:${NAME}|\\[\\d+\\])(?:\\.${NAME}|\\[\\d+\\])*)")?; ((?:(?!; ).)*)$`, 's');
/** Reasons that name only fields and types. */
const SAFE_REASONS = [
  new RegExp(`^Field "${NAME}" is not defined by type "${NAME}"\\.(?: Did you mean "${NAME}"(?:(?:, | or )"${NAME}")*\\?)?$`),
  new RegExp(`^Field "${NAME}" of required type "${TYPE}" was not provided\\.$`),
  new RegExp(`^Expected type "${NAME}" to be an object\\.$`),
  new RegExp(`^Expected non-nullable type "${TYPE}" not to be null\\.$`),
];
/**
 * Scalar coercion, `String cannot represent a non string value: 1234`: graphql-js's fixed part only
 * (the phrases of graphql/type/scalars.js), so no crafted value can pass for one.
 */
const SCALAR_REASON =
  /^((?:String|Int|Float|Boolean|ID) cannot represent (?:a non string value|value|non-integer value|non 32-bit signed integer value|non numeric value|a non boolean value|a non-string and non-integer value))(?::.*)?$/s;
/** A literal of the wrong type in the document (ValuesOfCorrectTypeRule). */
const LITERAL_VALUE = new RegExp(`^Expected value of type "(${TYPE})", found .*$`, 's');
/** The lexer and parser name the offending token with its value: `Expected Name, found Int "1234".` */
const SYNTAX_TOKEN = /^(Syntax Error: .*?\b(?:found|Unexpected)) (Name|Int|Float|String|BlockString) ".*"\.$/s;
const SYNTAX_CHARACTER = /^(Syntax Error: [^"]*?):? ".*"\.$/s;

/**
 * The message without any value the client submitted (unchanged when it holds none);
 * `hideSuggestions` also drops "Did you mean …?" (schema names, hidden when introspection is off).
 */
export function withoutSubmittedValues(message: string, hideSuggestions = false): string {
  const variable = VARIABLE_VALUE.exec(message);
  if (variable) {
    const [, name, path, reason = ''] = variable;
    const at = path === undefined ? '' : ` at "${path}"`;
    let safeReason = SAFE_REASONS.some((pattern) => pattern.test(reason)) ? reason : scalarReason(reason);
    if (hideSuggestions) safeReason = safeReason?.replace(/ Did you mean .*\?$/s, '');
    return `Variable "$${name}" got invalid value${at}${safeReason === undefined ? '.' : `; ${safeReason}`}`;
  }
  const literal = LITERAL_VALUE.exec(message);
  if (literal) return `Expected value of type "${literal[1]}".`;
  const scalar = scalarReason(message);
  if (scalar !== undefined) return scalar;
  const token = SYNTAX_TOKEN.exec(message);
  if (token) return `${token[1]} ${token[2]}.`;
  const character = SYNTAX_CHARACTER.exec(message);
  if (character) return `${character[1]}.`;
  return message;
}

function scalarReason(reason: string): string | undefined {
  const scalar = SCALAR_REASON.exec(reason);
  return scalar ? `${scalar[1]}.` : undefined;
}

/**
 * `exposeOriginalErrors`: keep `extensions.originalError` on masked errors (Yoga's development mode
 * adds it there); it never goes out in production, and never on a request error (status 400).
 */
export function useNoEcho(options: { readonly exposeOriginalErrors: boolean; readonly hideSuggestions: boolean }): Plugin {
  const { exposeOriginalErrors, hideSuggestions } = options;
  const clean = (error: GraphQLError): GraphQLError => {
    const message = withoutSubmittedValues(error.message, hideSuggestions);
    const { originalError, ...extensions } = error.extensions ?? {};
    const isRequestError = error.path === undefined; // raised before execution: about what the client sent
    const keepOriginal = originalError !== undefined && exposeOriginalErrors && !isRequestError;
    if (message === error.message && (originalError === undefined || keepOriginal)) return error;
    // Yoga answers a spec error with a non-GraphQL originalError (invalid JSON) 400 even to
    // `Accept: application/json`; without originalError it would say 200: keep the 400.
    const http = extensions['http'];
    if (originalError !== undefined && !keepOriginal && http?.spec) extensions['http'] = { ...http, spec: false };
    return new GraphQLError(message, {
      nodes: error.nodes ?? null,
      source: error.source ?? null,
      positions: error.positions ?? null,
      path: error.path ?? null,
      originalError: error.originalError ?? null,
      extensions: keepOriginal ? { ...extensions, originalError } : extensions,
    });
  };
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
      const single = result as ExecutionResult;
      const errors = single.errors!.map((error) => (error instanceof GraphQLError ? clean(error) : error));
      if (errors.some((error, index) => error !== single.errors![index])) setResult({ ...single, errors });
    },
  };
}
