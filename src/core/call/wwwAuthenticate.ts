/**
 * Parses a `WWW-Authenticate` header value into challenges (RFC 7235 §4.1 grammar, RFC 6750 §3
 * parameters). One left-to-right scan, linear in the input; never throws.
 */

/** One challenge: its scheme and parameters (names lower-cased, quoted strings unescaped). */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
  /** token68 form (`Negotiate abc==`), when present instead of parameters. */
  readonly token68?: string;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/** Splits a header value into its challenges. Malformed parts are skipped, not fatal. */
export function parseWwwAuthenticate(value: string): Challenge[] {
  const challenges: { scheme: string; params: Record<string, string>; token68?: string }[] = [];
  let i = 0;
  const n = value.length;
  const skipSpace = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(value[i] ?? '')) i++;
    return value.slice(start, i);
  };
  const readQuoted = (): string => {
    // value[i] is the opening quote
    i++;
    let out = '';
    while (i < n && value[i] !== '"') {
      if (value[i] === '\\' && i + 1 < n) i++;
      out += value[i];
      i++;
    }
    i++;
    return out;
  };
  while (i < n) {
    skipSpace();
    if (value[i] === ',') {
      i++;
      continue;
    }
    const word = readToken();
    if (word === '') {
      i++;
      continue;
    }
    skipSpace();
    if (value[i] === '=') {
      // A parameter of the current challenge.
      i++;
      skipSpace();
      const param = value[i] === '"' ? readQuoted() : readToken();
      const current = challenges[challenges.length - 1];
      if (current) current.params[word.toLowerCase()] = param;
      continue;
    }
    const challenge: { scheme: string; params: Record<string, string>; token68?: string } = {
      scheme: word,
      params: {},
    };
    challenges.push(challenge);
    // token68 (`Negotiate abc==`): a run of token68 characters, optional "=" padding, then "," or
    // the end. `name=value` is a parameter instead: rewind and let the loop read it.
    const start = i;
    while (i < n && /[A-Za-z0-9\-._~+/]/.test(value[i] ?? '')) i++;
    const run = value.slice(start, i);
    let padding = 0;
    while (i < n && value[i] === '=') {
      i++;
      padding++;
    }
    skipSpace();
    const atEnd = i >= n || value[i] === ',';
    if (run !== '' && atEnd) challenge.token68 = run + '='.repeat(padding);
    else i = start;
  }
  return challenges;
}

/** RFC 6750 §3.1 error codes, in words. */
export const BEARER_ERRORS: Readonly<Record<string, string>> = {
  invalid_request:
    'the request is malformed (a missing or repeated parameter, or the token sent in more than one way)',
  invalid_token: 'the token is expired, revoked, malformed, or invalid for another reason',
  insufficient_scope: 'the token is valid but lacks the privileges (scope) this resource needs',
};
