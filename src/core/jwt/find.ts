import { algOfHeader, expectedSignatureLengths } from './signatureLength';

/** A JWT-looking run of text and where it is. */
export interface FoundToken {
  /** The compact token, with line breaks and indentation between its characters removed. */
  readonly token: string;
  /** Offset of the first character in the searched text. */
  readonly start: number;
  /** Offset just past the last character in the searched text. */
  readonly end: number;
  /** What was mended to read the token, e.g. "joined 3 wrapped lines"; absent when nothing. */
  readonly repairs?: readonly string[];
}

/** Search bounds and a cap, for hovers that must stay bounded on any line. */
export interface FindOptions {
  readonly limit?: number;
  /** First offset a token may start at (default 0). Characters before it are only looked at. */
  readonly from?: number;
  /** Offset no token may reach past (default the text's length). */
  readonly to?: number;
}

// A JOSE header is a JSON object, so its base64url always starts "eyJ" ('{"').
const HEADER_START = 'eyJ';
const MIN_HEADER = 7;
// Token text on a hard-wrapped line is at least this long (wraps are at 64 or 76 columns).
const MIN_WRAPPED_LINE = 16;
const DOT = 46;
const EQUALS = 61;
const CR = 13;
const LF = 10;

function isBase64url(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 45 ||
    code === 95
  );
}

/** Characters that make an "eyJ" part of a longer word (then it does not start a token). */
function isWordChar(code: number): boolean {
  return isBase64url(code) || code === DOT;
}

// Sticky scanners: one native pass over a run, no backtracking (they always match).
const BASE64URL_RUN = /[A-Za-z0-9_-]*/y;
// Where a token may start: "eyJ" whose first segment reaches a dot or padding, or a line end
// when long enough to be wrapped, or is longer than 64 characters (see isCandidate). Found by
// indexOf and one sticky run scan per "eyJ", a run that is no candidate skipped whole. A single
// pattern with these three alternatives retried each of them and then rescanned the run from the
// next character: 78 ms on 10 MB of short "eyJ…" lines, about 3× this. (A lookbehind for the word
// boundary is super-linear in V8 on runs like 'eyJ-J-yJe--eee'; the boundary is checked in code.)
const MAX_FIRST_RUN = 64;
const MIN_WRAPPED_FIRST_RUN = 13;
// The rest of a run of token characters, skipped at once when its "eyJ" is inside a word.
const WORD_RUN = /[A-Za-z0-9_.=-]*/y;

/** Where the run of base64url characters starting at `i` ends. */
function runEnd(text: string, i: number): number {
  BASE64URL_RUN.lastIndex = i;
  BASE64URL_RUN.test(text);
  return BASE64URL_RUN.lastIndex;
}

/**
 * After a line break at `i` (CR, LF or CRLF), the offset where the next line's base64url text
 * starts when it continues a wrapped token (indentation skipped; a wrap may fall before a dot),
 * or -1.
 */
function continuation(text: string, i: number, to: number): number {
  let j = i;
  if (text.charCodeAt(j) === CR) j++;
  if (text.charCodeAt(j) === LF) j++;
  if (j === i) return -1;
  while (j < to && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  return j < to && isWordChar(text.charCodeAt(j)) ? j : -1;
}

/**
 * Whether a token that stops at a line end is visibly incomplete, so the next line continues it:
 * fewer than three segments, a JWE short of its fifth, or a signature shorter than the header's
 * algorithm makes. Tokens of an unknown algorithm are taken as complete, so the next log line is
 * never glued to a token that ends at a line end.
 */
function incomplete(lengths: readonly number[], alg: () => string | undefined): boolean {
  if (lengths.length < 3 || lengths.length === 4) return true;
  if (lengths.length > 4) return false;
  const signature = lengths[2] ?? 0;
  const expected = expectedSignatureLengths(alg());
  return (
    expected !== undefined && !expected.includes(signature) && signature < Math.max(...expected)
  );
}

/**
 * Reads a token starting at `start` ("eyJ" not preceded by a word character): base64url segments
 * separated by dots, each optionally ending in "=" padding, continued across a line break when the
 * token so far is incomplete. Returns where reading stopped and the token, if one was read.
 */
function readToken(text: string, start: number, to: number, out: FoundToken[]): number {
  const pieces: string[] = [];
  const lengths: number[] = [];
  // Text offset where each segment starts, to cut trailing segments off the range too.
  const starts: number[] = [start];
  let pieceStart = start;
  let i = start;
  let segment = 0;
  let joins = 0;
  let padding = false;
  // The header's text, decoded for its algorithm only when a line break needs a decision.
  let header = '';
  for (;;) {
    const run = runEnd(text, i);
    segment += run - i;
    i = run;
    let pad = 0;
    while (pad < 2 && i + pad < to && text.charCodeAt(i + pad) === EQUALS) pad++;
    if (pad > 0) {
      const after = i + pad < to ? text.charCodeAt(i + pad) : -1;
      // "=" followed by more text is an assignment (x=eyJ...) or a run of "=", not padding.
      if (isBase64url(after) || after === EQUALS) break;
      pieces.push(text.slice(pieceStart, i));
      padding = true;
      i += pad;
      pieceStart = i;
    }
    if (i < to && text.charCodeAt(i) === DOT && lengths.length < 4) {
      lengths.push(segment);
      if (lengths.length === 1) header = pieces.join('') + text.slice(pieceStart, i);
      segment = 0;
      i++;
      starts.push(i);
      continue;
    }
    if (pad === 0 && i < to && i - pieceStart >= MIN_WRAPPED_LINE) {
      const next = continuation(text, i, to);
      // A line starting "eyJ" mid-segment starts a token of its own rather than continuing one.
      const ownToken = segment > 0 && text.startsWith(HEADER_START, next);
      if (next >= 0 && !ownToken && incomplete([...lengths, segment], () => algOfHeader(header))) {
        pieces.push(text.slice(pieceStart, i));
        joins++;
        pieceStart = next;
        i = next;
        continue;
      }
    }
    break;
  }
  pieces.push(text.slice(pieceStart, i));
  lengths.push(segment);
  const stop = i;
  let token = pieces.join('');
  let end = i;
  // A sentence's full stop, or any text after a third segment, is not part of the token.
  while (lengths.length > 3 && (lengths.at(-1) === 0 || lengths.length === 4)) {
    token = token.slice(0, token.lastIndexOf('.'));
    end = (starts.at(-1) ?? end) - 1;
    lengths.pop();
    starts.pop();
  }
  const valid =
    lengths.length >= 3 &&
    (lengths[0] ?? 0) >= MIN_HEADER &&
    (lengths.length === 3 || ((lengths[3] ?? 0) > 0 && (lengths[4] ?? 0) > 0));
  if (!valid) return stop;
  const repairs: string[] = [];
  if (joins > 0) repairs.push(`joined ${joins + 1} wrapped lines`);
  if (padding) repairs.push('removed "=" padding');
  out.push({ token, start, end, ...(repairs.length > 0 ? { repairs } : {}) });
  return stop;
}

/**
 * Finds every JWT-shaped string in `text` (logs, JSON, HTTP dumps, Set-Cookie headers), in order,
 * without decoding. A token may carry "=" padding on its segments (removed) and may be hard-wrapped
 * across lines, indented or not, when the part before the break is visibly incomplete (joined).
 *
 * Linear in the searched range: each character is read at most twice, once by the search for
 * "eyJ" and once by the reading of the run it belongs to; a failed run is skipped whole.
 */
export function findJwts(text: string, options: number | FindOptions = {}): FoundToken[] {
  const {
    limit = Number.POSITIVE_INFINITY,
    from = 0,
    to = text.length,
  } = typeof options === 'number' ? { limit: options } : options;
  if (from > 0 || to < text.length) {
    // A window: search a slice (the character before it kept for the word check), so no scan
    // runs past the window's end, then move the offsets back.
    const base = Math.max(0, from - 1);
    const inWindow = findJwts(text.slice(base, Math.min(to, text.length)), limit);
    return inWindow
      .filter((found) => found.start + base >= from)
      .map((found) => ({ ...found, start: found.start + base, end: found.end + base }));
  }
  const found: FoundToken[] = [];
  let at = 0;
  while (found.length < limit) {
    const start = text.indexOf(HEADER_START, at);
    if (start < 0) break;
    if (start > 0 && isWordChar(text.charCodeAt(start - 1))) {
      // Inside a word: no token starts anywhere in the rest of it.
      WORD_RUN.lastIndex = start;
      WORD_RUN.test(text);
      at = WORD_RUN.lastIndex;
      continue;
    }
    const run = runEnd(text, start + HEADER_START.length);
    if (!isCandidate(text, run, run - start - HEADER_START.length)) {
      // Every "eyJ" inside this run follows a base64url character: skip the run whole.
      at = run;
      continue;
    }
    at = Math.max(readToken(text, start, text.length, found), start + HEADER_START.length);
  }
  return found;
}

/**
 * Whether a first segment whose base64url run (after "eyJ") is `length` long and ends at `end` may
 * start a token: it reaches a dot or "=" padding, or a line break after at least 13 characters
 * (a hard-wrapped line), or it is longer than 64 characters (then readToken decides).
 */
function isCandidate(text: string, end: number, length: number): boolean {
  if (length > MAX_FIRST_RUN) return true;
  const code = text.charCodeAt(end);
  if (code === DOT || code === EQUALS) return true;
  if (length < MIN_WRAPPED_FIRST_RUN) return false;
  return code === LF || (code === CR && text.charCodeAt(end + 1) === LF);
}

/** How far either side of a hover position a token may reach: bounds the work of one hover. */
export const HOVER_WINDOW = 64 * 1024;

function isTokenChar(code: number): boolean {
  return isWordChar(code) || code === EQUALS;
}

/**
 * Where the run of token characters around `offset` starts, following wrapped lines back (a line
 * break and indentation between token characters), at most `floor`.
 */
function runStart(text: string, offset: number, floor: number): number {
  let from = offset;
  for (;;) {
    while (from > floor && isTokenChar(text.charCodeAt(from - 1))) from--;
    let j = from;
    while (j > floor && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) j--;
    if (j === floor || text.charCodeAt(j - 1) !== LF) return from;
    j--;
    if (j > floor && text.charCodeAt(j - 1) === CR) j--;
    let previous = j;
    while (previous > floor && isTokenChar(text.charCodeAt(previous - 1))) previous--;
    // Only a line long enough to be hard-wrapped continues onto the next (as readToken joins).
    if (j - previous < MIN_WRAPPED_LINE) return from;
    from = previous;
  }
}

/**
 * The JWT that covers `offset` in `text`, if any (for hovers). Reads only the run of token
 * characters around the offset, at most {@link HOVER_WINDOW} characters either side, so one call
 * costs about the same on any line of any document.
 */
export function jwtAt(text: string, offset: number): FoundToken | undefined {
  const at = Math.min(Math.max(0, offset), text.length);
  const to = Math.min(text.length, at + HOVER_WINDOW);
  let from = runStart(text, at, Math.max(0, at - HOVER_WINDOW));
  for (;;) {
    const [next] = findJwts(text, { limit: 1, from, to });
    if (!next || next.start > at) return undefined;
    if (at <= next.end) return next;
    from = next.end;
  }
}
