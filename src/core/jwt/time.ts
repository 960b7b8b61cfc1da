import type { ClaimTime, TimeStatus, TokenTimes } from './types';

/**
 * Claims whose value is a NumericDate (seconds since 1970-01-01T00:00:00Z, RFC 7519 §2).
 * Dotted names are nested claims, named as `buildClaimRows` names its child rows.
 */
export const DATE_CLAIMS: ReadonlySet<string> = new Set([
  'exp',
  'nbf',
  'iat',
  'auth_time',
  'updated_at',
  // RFC 8417 Security Event Token: time of event.
  'toe',
  'kubernetes.io.warnafter',
  'google.compute_engine.instance_creation_timestamp',
]);

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A year is counted as 365 days: durations are for reading, not for calendars. */
const YEAR = 365 * DAY;
/** Beyond this many years a duration is shown as a bound rather than a number. */
const MAX_YEARS = 1_000_000;

/** ECMAScript dates reach ±8.64e15 ms from the epoch (year 275760). */
const MAX_DATE_MS = 8.64e15;
/**
 * From 1e11 seconds on (year 5138) a NumericDate is far likelier to be milliseconds: read as
 * milliseconds, 1e11 is March 1973, so every millisecond timestamp of this century is above it.
 */
const MILLISECONDS_THRESHOLD = 1e11;
const NUMERIC_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Long values are cut in messages; the row itself keeps the whole value. */
const MAX_QUOTED = 40;

/**
 * Validates a NumericDate claim value and formats it.
 *
 * A JSON number is expected; a numeric string is still read, with a warning. Fractions are kept.
 * Negative values and values outside the range of JavaScript dates give a warning and no time.
 * Values of 1e11 seconds or more (year 5138 on) are still read as seconds, as a verifier would,
 * but warned about as probably being milliseconds.
 */
export function toClaimTime(value: unknown): { time?: ClaimTime; warning?: string } {
  const warnings: string[] = [];
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())) {
    warnings.push('NumericDate should be a JSON number, not a string');
    seconds = Number(value.trim());
  } else {
    return {
      warning: `NumericDate should be a number of seconds since 1970, not ${kindOf(value)}`,
    };
  }

  const failure = rangeProblem(seconds);
  if (failure !== undefined) return { warning: [...warnings, failure].join('; ') };

  // Adding 0 turns -0 into 0, so the epoch is never written "-0".
  const epochSeconds = seconds + 0;
  const date = new Date(epochSeconds * 1000);
  if (epochSeconds >= MILLISECONDS_THRESHOLD) {
    const year = date.getUTCFullYear();
    warnings.push(`looks like milliseconds, not seconds: read as seconds it is the year ${year}`);
  }
  const utc = date.toISOString();
  const time: ClaimTime = { epochSeconds, local: formatLocal(date, utc), utc };
  return warnings.length === 0 ? { time } : { time, warning: warnings.join('; ') };
}

/** Why a number cannot be a date, or undefined when it can. */
function rangeProblem(seconds: number): string | undefined {
  if (!Number.isFinite(seconds)) return 'NumericDate is not a finite number';
  if (seconds < 0) return `NumericDate ${seconds} is negative (before 1970)`;
  if (seconds * 1000 > MAX_DATE_MS) {
    return (
      `NumericDate ${seconds} is after the last date JavaScript can represent (year 275760)` +
      ': it looks like milliseconds or microseconds, not seconds'
    );
  }
  return undefined;
}

/** Names the JSON type of a value that is not a usable NumericDate, for a warning. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    const shown = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
    return `the text ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return 'a non-finite number';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// Building a DateTimeFormat costs far more than using one (toLocaleString builds one per call).
let localFormat: Intl.DateTimeFormat | undefined;

/** The host's locale and zone; falls back to UTC when the runtime cannot format the date. */
function formatLocal(date: Date, utc: string): string {
  try {
    localFormat ??= new Intl.DateTimeFormat(undefined, {
      dateStyle: 'medium',
      timeStyle: 'medium',
    });
    const text = localFormat.format(date);
    return text === '' || text === 'Invalid Date' ? utc : text;
  } catch {
    return utc;
  }
}

const TIME_CLAIMS = [
  ['exp', 'exp'],
  ['nbf', 'nbf'],
  ['iat', 'iat'],
  ['auth_time', 'authTime'],
] as const;

/**
 * Reads the time claims that drive the countdown from a decoded payload.
 *
 * Numbers and numeric strings are used (see {@link toClaimTime}); other values are left out with
 * a warning prefixed by the claim name. Also warns about a missing exp and inconsistent times.
 */
export function readTimes(payload: Readonly<Record<string, unknown>>): {
  times: TokenTimes;
  warnings: string[];
} {
  const times: {
    exp?: number;
    nbf?: number;
    iat?: number;
    authTime?: number;
    expUnreadable?: string;
  } = {};
  const warnings: string[] = [];
  for (const [claim, field] of TIME_CLAIMS) {
    if (!Object.hasOwn(payload, claim)) continue;
    const { time, warning } = toClaimTime(payload[claim]);
    const value = payload[claim];
    if (time !== undefined) times[field] = time.epochSeconds;
    else if (typeof value === 'number' && Number.isFinite(value)) {
      // Before 1970 is no date to show, but jose compares it as a number: long expired. Beyond
      // year 275760 jose would still accept it, yet no expiry can be read from it.
      times[field] = value;
      if (claim === 'exp' && value > 0) times.expUnreadable = warning ?? 'not a NumericDate';
    } else if (claim === 'exp') times.expUnreadable = warning ?? 'not a NumericDate';
    if (warning !== undefined) warnings.push(`${claim}: ${warning}`);
  }
  warnings.push(...strictVerdicts(payload));

  const { exp, nbf, iat, authTime } = times;
  if (!Object.hasOwn(payload, 'exp')) warnings.push('no exp claim: the token never expires');
  if (exp !== undefined && iat !== undefined) {
    if (exp < iat) warnings.push('exp is before iat: the token expired before it was issued');
    else if (exp === iat) warnings.push('exp equals iat: the token expired as it was issued');
  }
  if (exp !== undefined && nbf !== undefined && exp <= nbf) {
    warnings.push('exp is not after nbf: the token is never valid');
  }
  if (authTime !== undefined && iat !== undefined && authTime > iat) {
    warnings.push('auth_time is after iat: the user authenticated after the token was issued');
  }
  return { times, warnings };
}

/**
 * The time claims of a decoded token. A JWS or unsecured JWT whose payload did not decode (not
 * base64url, not UTF-8, not JSON, not an object) has an unknown expiry, never "no expiry": its
 * times carry `expUnreadable` saying so. A JWE's times are inside the ciphertext: none.
 */
export function tokenTimes(decoded: {
  readonly kind: 'jws' | 'jwe' | 'unsecured';
  readonly payload?: Readonly<Record<string, unknown>>;
}): { times: TokenTimes; warnings: string[] } {
  if (decoded.payload) return readTimes(decoded.payload);
  if (decoded.kind === 'jwe') return { times: {}, warnings: [] };
  return { times: { expUnreadable: PAYLOAD_UNREADABLE }, warnings: [] };
}

/** Why a token whose payload does not decode has no readable expiry. */
export const PAYLOAD_UNREADABLE = 'the payload cannot be decoded, so exp cannot be read';

/**
 * How strict verifiers judge the types of the time claims, for values they would not accept as
 * we read them. jose's jwtVerify requires exp, nbf and iat, when present, to be JSON numbers
 * ('"exp" claim must be a number', jose lib/jwt_claims_set.js validateNumericDate).
 * google-auth-library's verifyIdToken requires a truthy iat and exp ('No issue time in token',
 * 'No expiration time in token') and reads them with Number(), rejecting NaN ('exp field using
 * invalid format'; OAuth2Client.verifySignedJwtWithCertsAsync).
 */
export function strictVerdicts(payload: Readonly<Record<string, unknown>>): string[] {
  const verdicts: string[] = [];
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (!Object.hasOwn(payload, claim)) continue;
    const value = payload[claim];
    const rejections: string[] = [];
    if (typeof value !== 'number')
      rejections.push(`jose rejects it ("${claim}" claim must be a number)`);
    if (claim !== 'nbf') {
      const name = claim === 'exp' ? 'expiration' : 'issue';
      if (!value) rejections.push(`google-auth-library rejects it (No ${name} time in token)`);
      else if (Number.isNaN(Number(value))) {
        rejections.push(`google-auth-library rejects it (${claim} field using invalid format)`);
      }
    }
    if (rejections.length > 0)
      verdicts.push(
        `${claim}: a strict verifier would not accept this token: ${rejections.join('; ')}`,
      );
  }
  return verdicts;
}

const UNITS = [
  [YEAR, 'y'],
  [DAY, 'd'],
  [HOUR, 'h'],
  [MINUTE, 'min'],
  [1, 's'],
] as const;

/**
 * Formats a duration compactly with its two most significant units: "0 s", "42 s", "5 min 3 s",
 * "41 min", "1 h 2 min", "3 d 4 h", "2 y 10 d". Seconds show only under 10 minutes; a zero
 * second unit is dropped ("1 h"). Fractions are truncated, the sign is ignored (callers say
 * "in" or "ago"), a year is 365 days, NaN gives "unknown" and an infinite value "forever".
 */
export function formatDuration(seconds: number): string {
  if (Number.isNaN(seconds)) return 'unknown';
  const total = Math.abs(seconds);
  if (total === Infinity) return 'forever';
  if (total >= MAX_YEARS * YEAR) return `over ${MAX_YEARS} y`;
  const whole = Math.floor(total);
  for (const [index, [size, unit]] of UNITS.entries()) {
    if (whole < size) continue;
    const major = Math.floor(whole / size);
    const next = UNITS[index + 1];
    if (next === undefined || (unit === 'min' && whole >= 10 * MINUTE)) return `${major} ${unit}`;
    const minor = Math.floor((whole - major * size) / next[0]);
    return minor === 0 ? `${major} ${unit}` : `${major} ${unit} ${minor} ${next[1]}`;
  }
  return '0 s';
}

/**
 * Formats a moment relative to now: "in 42 min", "3 min ago", or "now" within one second.
 */
export function formatRelative(targetSeconds: number, nowMs: number): string {
  const diff = targetSeconds - nowMs / 1000;
  if (!Number.isFinite(diff)) return 'unknown';
  if (Math.abs(diff) < 1) return 'now';
  return diff > 0 ? `in ${formatDuration(diff)}` : `${formatDuration(diff)} ago`;
}

/**
 * Validity of the token at `nowMs`, tolerating `skewSeconds` of clock difference each way.
 *
 * 'expired' when now >= exp + skew (it wins when the token is also not yet valid); 'not-yet-valid'
 * when now < nbf - skew. Only nbf delays validity: an iat in the future is a clock problem, not a
 * rule RFC 7519 asks verifiers to enforce. 'expiry-unreadable' when exp is there but is no usable
 * NumericDate (a string, null, an object...: strict verifiers reject such a token), 'no-expiry'
 * when there is no exp, else 'valid'.
 * A negative or non-finite skew counts as 0.
 */
export function timeStatus(times: TokenTimes, nowMs: number, skewSeconds: number): TimeStatus {
  const now = nowMs / 1000;
  const skew = usableSkew(skewSeconds);
  if (times.exp !== undefined && now >= times.exp + skew) return 'expired';
  if (times.expUnreadable !== undefined) return 'expiry-unreadable';
  if (times.nbf !== undefined && now < times.nbf - skew) return 'not-yet-valid';
  return times.exp === undefined ? 'no-expiry' : 'valid';
}

/**
 * The live countdown line: "expires in 41 min 3 s", "expired 3 min 12 s ago", "valid in 4 min 10 s
 * (nbf)", "never expires (no exp claim)". Below a day it always shows seconds, so it changes every
 * second. Times count to the claim itself; the skew only decides the status, and a token accepted
 * only thanks to the skew says so.
 */
export function countdownText(times: TokenTimes, nowMs: number, skewSeconds: number): string {
  const now = nowMs / 1000;
  const skew = usableSkew(skewSeconds);
  const { exp, nbf } = times;
  if (exp !== undefined && now >= exp + skew) return `expired ${formatCountdown(now - exp)} ago`;
  if (nbf !== undefined && now < nbf - skew) return `valid in ${formatCountdown(nbf - now)} (nbf)`;
  const early =
    nbf !== undefined && now < nbf
      ? ` (nbf is ${formatCountdown(nbf - now)} ahead, within the ${skew} s clock skew)`
      : '';
  if (times.expUnreadable !== undefined) return `expiry unreadable: ${times.expUnreadable}`;
  if (exp === undefined) return `never expires (no exp claim)${early}`;
  if (now >= exp) {
    return `expired ${formatCountdown(now - exp)} ago (within the ${skew} s clock skew)`;
  }
  return `expires in ${formatCountdown(exp - now)}${early}`;
}

/** Like formatDuration, but with every unit down to seconds below a day. */
function formatCountdown(seconds: number): string {
  const whole = Math.floor(Math.abs(seconds));
  // Written so that NaN also goes to formatDuration, which names it.
  if (!(whole < DAY)) return formatDuration(whole);
  const hours = Math.floor(whole / HOUR);
  const minutes = Math.floor((whole % HOUR) / MINUTE);
  const secs = whole % MINUTE;
  if (hours > 0) return `${hours} h ${minutes} min ${secs} s`;
  if (minutes > 0) return `${minutes} min ${secs} s`;
  return `${secs} s`;
}

function usableSkew(skewSeconds: number): number {
  return Number.isFinite(skewSeconds) && skewSeconds > 0 ? skewSeconds : 0;
}

/**
 * How long the token is valid for: exp minus nbf (or iat when there is no nbf).
 * Undefined when either end is missing.
 */
export function lifetimeSeconds(times: TokenTimes): number | undefined {
  const start = times.nbf ?? times.iat;
  return times.exp === undefined || start === undefined ? undefined : times.exp - start;
}
