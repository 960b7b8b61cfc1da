/** An integer in JSON text that JavaScript numbers cannot hold exactly. */
export interface UnsafeInteger {
  /** The member name it is the value of (or inside), '' at the top level. */
  readonly key: string;
  /** The digits as sent. */
  readonly digits: string;
  /** What JSON.parse makes of them, as JavaScript prints it. */
  readonly parsed: string;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const MINUS = 45;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Integers above 2^53 in a JSON text (outside strings), which JSON.parse rounds: e.g. a `sub` of
 * 100002348117421473 reads as 100002348117421470 (jwt.io issue #450). One linear pass; the text
 * is expected to be valid JSON (call it after JSON.parse succeeded).
 */
export function unsafeIntegers(json: string): UnsafeInteger[] {
  const found: UnsafeInteger[] = [];
  let key = '';
  let lastString = '';
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === QUOTE) {
      const start = i + 1;
      for (i = start; i < json.length && json.charCodeAt(i) !== QUOTE; i++) {
        if (json.charCodeAt(i) === BACKSLASH) i++;
      }
      lastString = json.slice(start, i);
      continue;
    }
    if (code === COLON) {
      key = lastString;
      continue;
    }
    if (!isDigit(code) && code !== MINUS) continue;
    const start = i;
    let integer = true;
    while (i + 1 < json.length) {
      const next = json.charCodeAt(i + 1);
      if (isDigit(next) || next === MINUS) i++;
      else if (next === 46 || next === 101 || next === 69 || next === 43) {
        integer = false;
        i++;
      } else break;
    }
    const digits = json.slice(start, i + 1);
    if (!integer || digits.replace('-', '').length < 16) continue;
    const parsed = Number(digits);
    if (!Number.isSafeInteger(parsed) && BigInt(digits).toString() !== BigInt(parsed).toString()) {
      found.push({ key, digits, parsed: String(parsed) });
    }
  }
  return found;
}
