// CEL for workload identity federation: attribute mappings and conditions evaluated by
// @marcbachmann/cel-js, with GCP's `extract` function and its `google` variable.
import { Environment } from '@marcbachmann/cel-js';

/** A value, or why there is none: `fail` for an error Google would also hit, `unknown` for
 * an expression outside what this evaluator supports. */
export type CelResult = { value: unknown } | { error: string; outcome: 'fail' | 'unknown' };

let environment: Environment | undefined;

/**
 * GCP's `extract(template)`: the text between the template's prefix and suffix around its one
 * `{placeholder}` (https://cloud.google.com/iam/docs/workload-identity-federation#mapping);
 * the empty string when the prefix or suffix is not found.
 */
export function extract(text: string, template: string): string {
  const open = template.indexOf('{');
  const close = template.indexOf('}', open);
  if (open < 0 || close < 0) return '';
  const prefix = template.slice(0, open);
  const suffix = template.slice(close + 1);
  const start = text.indexOf(prefix);
  if (start < 0) return '';
  const from = start + prefix.length;
  if (suffix === '') return text.slice(from);
  const end = text.indexOf(suffix, from);
  return end < 0 ? '' : text.slice(from, end);
}

function cel(): Environment {
  environment ??= new Environment({
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
  }).registerFunction('string.extract(string): string', extract);
  return environment;
}

// cel-js declares a constant `google` (for google.protobuf.* type names), which hides GCP's
// `google` variable; expressions get it under this name instead.
export const GOOGLE_ALIAS = 'google__';

/**
 * Renames the identifier `google` (not a field `.google`, not inside a string literal) to
 * GOOGLE_ALIAS, in one pass over the expression.
 */
export function aliasGoogle(expression: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i] ?? '';
    if (quote) {
      out += c;
      if (c === '\\') out += expression[++i] ?? '';
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      out += c;
      continue;
    }
    const before = expression[i - 1] ?? '';
    const after = expression[i + 6] ?? '';
    if (expression.startsWith('google', i) && !/[\w.]/.test(before) && !/\w/.test(after)) {
      out += GOOGLE_ALIAS;
      i += 5;
      continue;
    }
    out += c;
  }
  return out;
}

export function evaluateCel(expression: string, context: Record<string, unknown>): CelResult {
  let program: ReturnType<Environment['parse']>;
  try {
    program = cel().parse(aliasGoogle(expression));
  } catch (error) {
    return {
      error: `This CEL expression is outside what the evaluator here supports: ${firstLine(error)}`,
      outcome: 'unknown',
    };
  }
  try {
    return { value: program(context) };
  } catch (error) {
    const message = firstLine(error);
    // A function this evaluator lacks and a wrong argument type give the same error: say so.
    if (/no matching overload/.test(message)) {
      return {
        error: `${message}: a function outside what the evaluator here supports, or arguments of the wrong type`,
        outcome: 'unknown',
      };
    }
    return { error: message, outcome: 'fail' };
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
