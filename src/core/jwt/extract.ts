import { isRecord } from '../guards';
import { TokenExplorerError } from '../errors';
import { findJwts } from './find';

/** A compact token pulled out of whatever the user pasted, and where it was found. */
export interface Extracted {
  readonly token: string;
  readonly foundIn: string;
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

function stripQuotes(text: string): string {
  let s = text.trim().replace(/[,;]+$/, '');
  while (s.length >= 2 && QUOTES.has(s[0] ?? '') && s[s.length - 1] === s[0]) {
    s = s.slice(1, -1).trim();
  }
  return s;
}

function looksLikeJwt(value: unknown): value is string {
  return typeof value === 'string' && findJwts(value.trim(), 1)[0]?.token === value.trim();
}

/** Depth-first search of parsed JSON for a token: known fields first, then any JWT string. */
function searchJson(value: unknown, path: string): Extracted | undefined {
  if (looksLikeJwt(value))
    return { token: value.trim(), foundIn: path ? `JSON field "${path}"` : 'JSON string' };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = searchJson(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const ordered = [...JSON_FIELDS.filter((k) => keys.includes(k)), ...keys];
  for (const key of ordered) {
    const hit = searchJson(record[key], path ? `${path}.${key}` : key);
    if (hit) return hit;
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
  const hit = searchJson(parsed, '');
  if (hit) return hit;
  const keys = isRecord(parsed) ? Object.keys(parsed).slice(0, 8) : [];
  throw new TokenExplorerError(
    'json-without-token',
    keys.length > 0
      ? `The pasted JSON has no JWT in it (fields: ${keys.join(', ')}). Paste the token itself or a response holding "id_token", "token" or "value".`
      : 'The pasted JSON has no JWT in it. Paste the token itself or a response holding "id_token", "token" or "value".',
  );
}

/**
 * Pulls a compact JWS/JWE out of what people paste: the bare token with surrounding whitespace or
 * quotes, a `Bearer ` or `Authorization: Bearer ` header, a JSON response body, a URL with
 * `id_token=` in its query or fragment, or any text with a JWT in it.
 *
 * A single dotted word is returned as-is even when broken, so decoding can say which part failed.
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
  const bearer = BEARER.exec(text);
  if (bearer?.[1]) {
    foundIn = AUTH_HEADER.test(text) ? 'Authorization header' : 'Bearer prefix';
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
    return { token: value, foundIn: `URL parameter "${param[1]}"` };
  }
  if (COMPACT_ISH.test(text)) return { token: text, foundIn };
  const first = findJwts(text, 1)[0];
  if (first) return { token: first.token, foundIn: 'text (the first JWT in it)' };
  throw new TokenExplorerError(
    'not-a-jwt',
    'This does not look like a JWT: a JWT is base64url parts separated by dots (header.payload.signature), usually starting with "eyJ".',
  );
}
