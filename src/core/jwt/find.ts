/** A JWT-looking run of text and where it is. */
export interface FoundToken {
  readonly token: string;
  /** Offset of the first character in the searched text. */
  readonly start: number;
  readonly end: number;
}

// A JOSE header is a JSON object, so its base64url always starts "eyJ" ('{"'). Segments are
// base64url runs; a JWE adds two more. Payload and signature may be empty (alg none, JWE key).
const JWT_PATTERN =
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)?/g;

/** Whether the characters around a match make it part of a longer word (then it is not a JWT). */
function isWordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 45 ||
    code === 95 ||
    code === 46
  );
}

/**
 * Finds every JWT-shaped string in `text` (logs, JSON, HTTP dumps), in order, without decoding.
 * Linear in the text: one sticky-free regex scan anchored on the "eyJ" literal.
 */
export function findJwts(text: string, limit = Number.POSITIVE_INFINITY): FoundToken[] {
  const found: FoundToken[] = [];
  JWT_PATTERN.lastIndex = 0;
  for (let match = JWT_PATTERN.exec(text); match; match = JWT_PATTERN.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (start > 0 && isWordChar(text.charCodeAt(start - 1))) continue;
    found.push({ token: match[0], start, end });
    if (found.length >= limit) break;
  }
  return found;
}

/** The JWT that covers `offset` in `text`, if any (for hovers). */
export function jwtAt(text: string, offset: number): FoundToken | undefined {
  return findJwts(text).find((t) => t.start <= offset && offset <= t.end);
}
