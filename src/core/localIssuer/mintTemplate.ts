/** The JSON template of "Mint Test Token": its shape, default and checks. */
import { isNonEmptyString, isRecord } from '../guards';
import { TokenExplorerError, errorMessage, asClause } from '../errors';

export const DEFAULT_EXPIRES_IN_SECONDS = 3600;

/** What "Mint Test Token" signs: `iss` is always the issuer URL, the rest comes from here. */
export interface MintTemplate {
  /** The audience your service expects. */
  readonly aud: string | string[];
  readonly sub: string;
  /**
   * The token's lifetime in seconds (default 3600): `exp` is that long after it becomes valid.
   * Zero or negative mints a token that expired that many seconds ago, after a default lifetime.
   */
  readonly expiresInSeconds?: number;
  /**
   * Seconds `nbf` lies before `iat` (default 0), for validators whose clock lags; negative puts
   * `nbf` that far in the future (a not-yet-valid token, whose lifetime starts then).
   */
  readonly nbfSkewSeconds?: number;
  /**
   * Extra claims, merged last: they override the defaults (`sub`, `aud`, `iat`, `nbf`, `exp`,
   * `jti`), so expired or not-yet-valid tokens can be minted on purpose. `iss` is the one claim
   * they never override: it is always the running issuer's URL, or the token would not verify.
   */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** The template "Mint Test Token" opens for editing. */
export const DEFAULT_TEMPLATE = `${JSON.stringify(
  {
    aud: 'http://localhost:8080',
    sub: 'test-user',
    expiresInSeconds: DEFAULT_EXPIRES_IN_SECONDS,
    claims: { email: 'test-user@example.com', roles: ['admin', 'reader'] },
  },
  null,
  2,
)}\n`;

const TEMPLATE_FIELDS = ['aud', 'sub', 'expiresInSeconds', 'nbfSkewSeconds', 'claims'];

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`;
}

function badTemplate(message: string): TokenExplorerError {
  return new TokenExplorerError('bad-config', `The token template: ${message}`);
}

function checkAudience(value: unknown, field: string): void {
  const ok =
    (typeof value === 'string' && value !== '') ||
    (Array.isArray(value) &&
      value.length > 0 &&
      value.every((a) => typeof a === 'string' && a !== ''));
  if (!ok) {
    throw badTemplate(
      `"${field}" must be the audience your service expects (a non-empty string or array of strings), not ${describeValue(value)}.`,
    );
  }
}

function checkWholeSeconds(value: unknown, field: string): void {
  if (value !== undefined && !Number.isInteger(value)) {
    throw badTemplate(`"${field}" must be a whole number of seconds, not ${describeValue(value)}.`);
  }
}

function checkClaims(claims: unknown): void {
  if (claims === undefined) return;
  if (!isRecord(claims)) {
    throw badTemplate(
      `"claims" must be an object of extra claims, like {"email": "…"}, not ${describeValue(claims)}.`,
    );
  }
  for (const name of ['exp', 'nbf', 'iat']) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw badTemplate(
        `"claims.${name}" must be a number of seconds since 1970 (a NumericDate), not ${describeValue(value)}.`,
      );
    }
  }
  if (claims.aud !== undefined) checkAudience(claims.aud, 'claims.aud');
  for (const name of ['sub', 'jti']) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') {
      throw badTemplate(`"claims.${name}" must be a string, not ${describeValue(claims[name])}.`);
    }
  }
}

/** Checks a template from JSON or settings; errors name the field and what it must be. */
export function checkTemplate(value: unknown): MintTemplate {
  if (!isRecord(value)) {
    throw badTemplate(
      `it must be a JSON object like {"aud": "http://localhost:8080", "sub": "test-user"}, not ${describeValue(value)}.`,
    );
  }
  const unknown = Object.keys(value).find((key) => !TEMPLATE_FIELDS.includes(key));
  if (unknown !== undefined) {
    const hint =
      unknown === 'exp'
        ? ' Use "expiresInSeconds", or put an absolute "exp" under "claims".'
        : ' Put extra claims under "claims".';
    throw badTemplate(
      `unknown field "${unknown}" (expected ${TEMPLATE_FIELDS.join(', ')}).${hint}`,
    );
  }
  if (value.aud === undefined) {
    throw badTemplate(
      'it has no "aud": set it to the audience your service expects, e.g. "http://localhost:8080".',
    );
  }
  checkAudience(value.aud, 'aud');
  if (!isNonEmptyString(value.sub)) {
    throw badTemplate(
      value.sub === undefined
        ? 'it has no "sub": set it to the test user\'s id, e.g. "test-user".'
        : `"sub" must be a non-empty string, not ${describeValue(value.sub)}.`,
    );
  }
  checkWholeSeconds(value.expiresInSeconds, 'expiresInSeconds');
  checkWholeSeconds(value.nbfSkewSeconds, 'nbfSkewSeconds');
  checkClaims(value.claims);
  return value as unknown as MintTemplate;
}

/**
 * Parses the JSON template of "Mint Test Token".
 * @throws TokenExplorerError `bad-config` naming what is wrong: not JSON, not an object, an
 * unknown field, `aud` or `sub` missing or mistyped, a non-numeric time.
 */
export function parseTemplate(json: string): MintTemplate {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw badTemplate(`it is not valid JSON (${asClause(errorMessage(error))}).`);
  }
  return checkTemplate(value);
}

/** The time claims of a minted token, in seconds since 1970. */
export interface MintTimes {
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
}

function givenTime(claims: MintTemplate['claims'], name: string): number | undefined {
  const value = claims?.[name];
  return typeof value === 'number' ? value : undefined;
}

/**
 * `iat`, `nbf` and `exp` for a template at `now` (seconds), always consistent: `iat` is never
 * after `exp`, and `nbf` is before `exp`, whatever the template asks for. An expired token
 * (`expiresInSeconds` ≤ 0, or a past `claims.exp`) was issued a lifetime before it expired; a
 * not-yet-valid one (`nbfSkewSeconds` < 0, or a future `claims.nbf`) lives from its `nbf`. Times
 * given under `claims` are kept as they are (they are merged over these).
 */
export function mintTimes(template: MintTemplate, now: number): MintTimes {
  const requested = template.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS;
  const lifetime = requested > 0 ? requested : DEFAULT_EXPIRES_IN_SECONDS;
  const skew = template.nbfSkewSeconds ?? 0;
  const givenNbf = givenTime(template.claims, 'nbf');
  const givenExp = givenTime(template.claims, 'exp');
  const givenIat = givenTime(template.claims, 'iat');
  const start = givenNbf ?? (skew < 0 ? now - skew : now);
  const exp = givenExp ?? (requested > 0 ? Math.max(start, now) + lifetime : now + requested);
  const iat = givenIat ?? Math.min(now, exp - lifetime);
  const nbf = givenNbf ?? (skew < 0 ? start : iat - skew);
  return { iat, nbf, exp };
}
