import { isRecord } from '../guards';
import { TokenExplorerError } from '../errors';
import { notAJwtMessage, recogniseCredential } from './credentialKind';
import type { FoundToken } from './find';
import { findJwts } from './find';
import { algOfHeader, expectedSignatureLengths } from './signatureLength';

/** A compact token pulled out of whatever the user pasted, and where it was found. */
export interface Extracted {
  readonly token: string;
  readonly foundIn: string;
  /** What was mended to read it (joined lines, removed padding or stray characters). */
  readonly repairs?: readonly string[];
}

// Fields that hold a token in the JSON bodies people paste: the OAuth 2.0 token endpoint
// (id_token, access_token), IAM Credentials generateIdToken (token), GitHub Actions (value).
const JSON_FIELDS = ['id_token', 'token', 'value', 'access_token', 'jwt', 'idToken', 'accessToken'];
const URL_PARAM = /(?:^|[?#&])(id_token|access_token|token)=([^&#\s]+)/;
const CURL_HEADER_FLAG = /^(?:-H|--header)\s+/;
const BEARER = /^(?:(?:proxy-)?authorization\s*:\s*)?bearer\s+(\S+)\s*$/i;
const AUTH_HEADER = /^(?:proxy-)?authorization\s*:/i;
const COMPACT_ISH = /^[A-Za-z0-9_\-+/=]*(?:\.[A-Za-z0-9_\-+/=]*)+$/;
const QUOTES = new Set(['"', "'", '`']);
// What copying through a URL, a terminal or a mail client puts inside a token.
const STRAY = /%(?:20|0[9AaDd])|\s/g;

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f';
}

/** Trims whitespace, then trailing commas and semicolons, then matching quotes; by index, linear. */
function stripQuotes(text: string): string {
  let start = 0;
  let end = text.length;
  const trim = () => {
    while (start < end && isSpace(text[start])) start++;
    while (end > start && isSpace(text[end - 1])) end--;
  };
  trim();
  while (end > start && (text[end - 1] === ',' || text[end - 1] === ';')) end--;
  while (end - start >= 2 && QUOTES.has(text[start] ?? '') && text[end - 1] === text[start]) {
    start++;
    end--;
    trim();
  }
  return text.slice(start, end);
}

function extracted(token: string, foundIn: string, repairs?: readonly string[]): Extracted {
  return repairs && repairs.length > 0 ? { token, foundIn, repairs } : { token, foundIn };
}

/**
 * Search of parsed JSON for a token, known fields first, then any string holding one (a bare
 * token, "Bearer <jwt>" as in HAR and Postman files, "token=<jwt> issued" in a log message).
 * Iterative, so JSON of any depth that JSON.parse accepts is searched without exhausting the stack.
 */
function searchJson(root: unknown): Extracted | undefined {
  const stack: [unknown, string][] = [[root, '']];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      const hit = findJwts(value, 1)[0];
      if (!hit) continue;
      const where = path ? `JSON field "${path}"` : 'JSON string';
      const whole = value.slice(0, hit.start).trim() === '' && value.slice(hit.end).trim() === '';
      return extracted(hit.token, whole ? where : `${where} (within its text)`, hit.repairs);
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    const known = JSON_FIELDS.filter((k) => keys.includes(k));
    const ordered = [...known, ...keys.filter((k) => !known.includes(k))];
    for (let i = ordered.length - 1; i >= 0; i--) {
      const key = ordered[i] ?? '';
      stack.push([record[key], path ? `${path}.${key}` : key]);
    }
  }
  return undefined;
}

function fromJson(text: string): Extracted | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const hit = searchJson(parsed);
  if (hit) return hit;
  const held = isRecord(parsed)
    ? JSON_FIELDS.map((field) => [field, parsed[field]] as const).find(
        ([, value]) => typeof value === 'string' && recogniseCredential(value),
      )
    : undefined;
  const known = held && recogniseCredential(String(held[1]));
  if (held && known) {
    throw new TokenExplorerError(
      'json-without-token',
      `The pasted JSON has no token to inspect: its "${held[0]}" field holds ${known.what} (${known.clue}), not a JWT. ${known.instead}`,
    );
  }
  const keys = isRecord(parsed) ? Object.keys(parsed).slice(0, 8) : [];
  throw new TokenExplorerError(
    'json-without-token',
    keys.length > 0
      ? `The pasted JSON has no token in it (fields: ${keys.join(', ')}). Paste the token itself or a response holding "id_token", "token" or "value".`
      : 'The pasted JSON has no token in it. Paste the token itself or a response holding "id_token", "token" or "value".',
  );
}

/**
 * Whether a three-part token's signature has a length its algorithm can make; for an algorithm of
 * no known length, `unknown` is the answer.
 */
function signatureFits(token: string, unknown: boolean): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return unknown;
  const expected = expectedSignatureLengths(algOfHeader(parts[0] ?? ''));
  return expected === undefined ? unknown : expected.includes(parts[2]?.length ?? 0);
}

function describeStray(stray: string): string {
  if (stray.startsWith('%'))
    return `"${stray}" (a percent-encoded ${stray === '%20' ? 'space' : 'control character'})`;
  if (stray === ' ') return 'a space';
  return `U+${stray.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (whitespace)`;
}

/**
 * A token interrupted by stray spaces or percent-encoded whitespace (copied from a URL, a wrapped
 * terminal or a mail): when the text is one token with such characters inside and removing them
 * gives a signature of the length its algorithm makes, the token without them and a note naming
 * each removed character and its position (1-based, in the pasted text as trimmed).
 */
function withoutStrays(text: string): Extracted | undefined {
  const removed: string[] = [];
  const joined = text.replace(STRAY, (stray: string, offset: number) => {
    if (removed.length < 5) removed.push(`${describeStray(stray)} at character ${offset + 1}`);
    else if (removed.length === 5) removed.push('…');
    return '';
  });
  if (removed.length === 0 || !joined.startsWith('eyJ') || !COMPACT_ISH.test(joined))
    return undefined;
  const [found] = findJwts(joined, 1);
  if (
    !found ||
    found.start !== 0 ||
    found.end !== joined.length ||
    !signatureFits(found.token, false)
  ) {
    return undefined;
  }
  return extracted(found.token, 'pasted text', [
    `removed stray characters from inside the token: ${removed.join(', ')}`,
    ...(found.repairs ?? []),
  ]);
}

/** The first token in free text, with a note when it is visibly cut short by a stray character. */
function firstInText(text: string, first: FoundToken): Extracted {
  const repairs = [...(first.repairs ?? [])];
  const after = text.slice(first.end, first.end + 4);
  if (
    !signatureFits(first.token, true) &&
    /^(?:%[0-9A-Fa-f]{2}|[^\s"'`,;)\]}])[A-Za-z0-9_-]/.test(after)
  ) {
    const stray = after.startsWith('%') ? after.slice(0, 3) : after.slice(0, 1);
    repairs.push(
      `the signature is shorter than its algorithm makes and is followed by "${stray}" at character ${first.end + 1}, then more base64url text: the token was probably broken there when copied`,
    );
  }
  return extracted(first.token, 'text (the first token in it)', repairs);
}

/**
 * Pulls a compact JWS/JWE out of what people paste: the bare token with surrounding whitespace or
 * quotes, a `Bearer ` or `Authorization: Bearer ` header (also hard-wrapped with indented lines),
 * a JSON document (a field holding the token or a text holding it, e.g. HAR and Postman files),
 * a URL with `id_token=` in its query or fragment, a Set-Cookie header, or any text with a JWT in
 * it. Padding, line breaks and stray whitespace inside the token are removed and listed in
 * `repairs`.
 *
 * A single dotted word is returned as-is even when broken, so decoding can say which part failed
 * and at which character. Linear in the input.
 * @throws TokenExplorerError `no-token`, `json-without-token` or `not-a-jwt`.
 */
export function extractToken(input: string): Extracted {
  const trimmed = input.trim();
  if (trimmed === '') {
    throw new TokenExplorerError(
      'no-token',
      'Nothing to inspect: paste a JWT (three base64url parts separated by dots, usually starting with "eyJ").',
    );
  }
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const hit = fromJson(trimmed);
    if (hit) return hit;
  }
  let text = stripQuotes(stripQuotes(trimmed).replace(CURL_HEADER_FLAG, ''));
  let foundIn = 'pasted text';
  const header = AUTH_HEADER.test(text);
  const bearer = BEARER.exec(text);
  if (bearer?.[1]) {
    foundIn = header ? 'bearer header' : 'Bearer prefix';
    text = stripQuotes(bearer[1]);
  }
  const param = URL_PARAM.exec(text);
  if (param?.[1] && param[2]) {
    let value = param[2];
    try {
      value = decodeURIComponent(value);
    } catch {
      // Keep the raw value: a stray '%' only means it was not percent-encoded.
    }
    const [inside] = findJwts(value, 1);
    const known = inside ? undefined : recogniseCredential(value);
    if (known) throw new TokenExplorerError('not-a-jwt', notAJwtMessage(known));
    return inside && inside.start === 0 && inside.end === value.length
      ? extracted(inside.token, `URL parameter "${param[1]}"`, inside.repairs)
      : { token: value, foundIn: `URL parameter "${param[1]}"` };
  }
  const [first] = findJwts(text, 1);
  if (first && first.start === 0 && first.end === text.length) {
    return extracted(first.token, foundIn, first.repairs);
  }
  const known = recogniseCredential(text);
  if (known) throw new TokenExplorerError('not-a-jwt', notAJwtMessage(known));
  const repaired = withoutStrays(text);
  if (repaired) return { ...repaired, foundIn };
  if (COMPACT_ISH.test(text)) return { token: text, foundIn };
  if (first) {
    const hit = firstInText(text, first);
    return header || bearer ? { ...hit, foundIn: 'bearer header' } : hit;
  }
  throw new TokenExplorerError(
    'not-a-jwt',
    'This does not look like a token: the inspector reads JWTs, base64url parts separated by dots (header.payload.signature), usually starting with "eyJ".',
  );
}
