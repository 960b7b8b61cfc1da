// No js-yaml import here: callers that only word a parser's failure do not load the parser.
/**
 * A YAML parse failure in one line of words, for a notification (which cannot show line breaks):
 * js-yaml's `reason` and its 0-based `mark` as "at line L, column C" (1-based), e.g. "missed comma
 * between flow collection entries at line 3, column 1". The code frame js-yaml appends to its
 * `message` is left out: log `errorMessage(error)` for it. Anything else: its first line.
 */
export function yamlProblemInWords(error: unknown): string {
  const { reason, mark } = (error ?? {}) as {
    reason?: unknown;
    mark?: { line?: unknown; column?: unknown };
  };
  if (typeof reason === 'string' && typeof mark?.line === 'number') {
    const column = typeof mark.column === 'number' ? `, column ${mark.column + 1}` : '';
    return `${reason} at line ${mark.line + 1}${column}`;
  }
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() ?? '';
}
