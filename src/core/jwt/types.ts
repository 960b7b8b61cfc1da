import type { IssuerFamily } from './family';

/** Which serialization a compact token uses. */
export type TokenKind = 'jws' | 'jwe' | 'unsecured';

/** Names of the dot-separated segments of a compact JWS or JWE. */
export type PartName =
  'header' | 'payload' | 'signature' | 'encryptedKey' | 'iv' | 'ciphertext' | 'tag';

/** One segment of the raw token, for colouring it by part. */
export interface TokenPart {
  readonly name: PartName;
  readonly text: string;
}

/** A precise statement of which part failed to decode and why. */
export interface PartProblem {
  readonly part: PartName | 'token';
  readonly code: DecodeProblemCode;
  readonly message: string;
}

export type DecodeProblemCode =
  | 'segment-count'
  | 'empty-segment'
  | 'bad-base64url'
  | 'bad-utf8'
  | 'bad-json'
  | 'not-object'
  | 'missing-alg'
  | 'signature-present-for-none'
  | 'missing-signature';

/** Where a claim name comes from, for grouping and explanation. */
export type ClaimSource = 'header' | 'registered' | 'oidc' | IssuerFamily | 'unknown';

/** A point in time taken from a numeric date claim, already validated. */
export interface ClaimTime {
  /** Seconds since the epoch, as in the token (may be fractional). */
  readonly epochSeconds: number;
  /** Local time, formatted by the host (its locale and zone). */
  readonly local: string;
  /** ISO-8601 UTC. */
  readonly utc: string;
}

/** One row of the header or claims table. */
export interface ClaimRow {
  readonly name: string;
  /** Human label from the catalogue, absent for unknown claims. */
  readonly label?: string;
  /** One-line meaning from the catalogue, absent for unknown claims. */
  readonly description?: string;
  readonly source: ClaimSource;
  /** JSON text of the value (strings unquoted). */
  readonly display: string;
  /** Present for NumericDate claims with a usable value. */
  readonly time?: ClaimTime;
  /** Why a value looks wrong (e.g. a date claim that is not a number). */
  readonly warning?: string;
}

/** Validity of the token at a given instant. */
export type TimeStatus = 'valid' | 'expired' | 'not-yet-valid' | 'no-expiry' | 'expiry-unreadable';

/** The time claims that drive the countdown, in seconds since the epoch. */
export interface TokenTimes {
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly authTime?: number;
  /** Set when the token has an `exp` that is no usable NumericDate: why (never "no expiry"). */
  readonly expUnreadable?: string;
}

/** Everything the inspector shows about a token, computed without the network. */
export interface Inspection {
  /** The compact token extracted from what was pasted. */
  readonly token: string;
  /** How the token was found in the input, e.g. "Authorization header" or 'JSON field "id_token"'. */
  readonly foundIn: string;
  /** What was mended to read the token: joined wrapped lines, removed padding or stray spaces. */
  readonly repairs?: readonly string[];
  readonly kind: TokenKind;
  readonly parts: readonly TokenPart[];
  readonly header?: Readonly<Record<string, unknown>>;
  /** Absent for JWE (encrypted) and when the payload failed to decode. */
  readonly payload?: Readonly<Record<string, unknown>>;
  readonly headerRows: readonly ClaimRow[];
  readonly claimRows: readonly ClaimRow[];
  readonly problems: readonly PartProblem[];
  /** Things that decode fine but deserve attention (alg none, missing exp...). */
  readonly warnings: readonly string[];
  readonly times: TokenTimes;
  readonly issuer?: string;
  readonly alg?: string;
  readonly kid?: string;
}
