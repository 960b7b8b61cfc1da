import { buildClaimRows, detectIssuerFamily } from './claims';
import { decodeCompact } from './decode';
import { extractToken } from './extract';
import { tokenTimes } from './time';
import type { ClaimRow, Inspection } from './types';

function stringField(
  obj: Readonly<Record<string, unknown>> | undefined,
  key: string,
): string | undefined {
  const value = obj?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Rows with integers above 2^53 shown in the digits the token holds, not JavaScript's rounding. */
function withExactIntegers(
  rows: readonly ClaimRow[],
  exact: Readonly<Record<string, string>> | undefined,
): readonly ClaimRow[] {
  if (!exact) return rows;
  return rows.map((row) => {
    const display = row.display.replace(/-?\d+/g, (number) => exact[number] ?? number);
    return display === row.display ? row : { ...row, display };
  });
}

/**
 * A Google service-account ID token without `email`: the metadata server's `format=standard`
 * (only `format=full` adds email and email_verified) or generateIdToken without includeEmail.
 */
const GOOGLE_WITHOUT_EMAIL =
  'This Google ID token has no email claim (metadata server format "standard", or an impersonated token without "include email"). IAP and services that authorise by the caller\'s email reject it; mint it with format "full" or include the email.';

/** A token for a Google audience (not an OAuth client's own login) that names no email. */
function missesGoogleEmail(payload: Readonly<Record<string, unknown>>): boolean {
  return (
    payload.email === undefined &&
    typeof payload.sub === 'string' &&
    /^\d+$/.test(payload.sub) &&
    payload.target_audience === undefined &&
    payload.aud !== 'https://oauth2.googleapis.com/token'
  );
}

/**
 * Everything the inspector shows about pasted text, without the network: the extracted token,
 * decoded parts with precise per-part problems, explained header and claims, and time claims.
 * @throws TokenExplorerError when the text holds no token at all (see {@link extractToken}).
 */
export function inspectToken(input: string): Inspection {
  const { token, foundIn, repairs } = extractToken(input);
  const decoded = decodeCompact(token);
  const family = decoded.payload ? detectIssuerFamily(decoded.payload) : undefined;
  const warnings = [...decoded.warnings];
  const { times, warnings: timeWarnings } = tokenTimes(decoded);
  warnings.push(...timeWarnings);
  if (family === 'google' && decoded.payload && missesGoogleEmail(decoded.payload)) {
    warnings.push(GOOGLE_WITHOUT_EMAIL);
  }
  const issuer = stringField(decoded.payload, 'iss');
  const alg = stringField(decoded.header, 'alg');
  const kid = stringField(decoded.header, 'kid');
  return {
    token,
    foundIn,
    ...(repairs ? { repairs } : {}),
    kind: decoded.kind,
    parts: decoded.parts,
    ...(decoded.header ? { header: decoded.header } : {}),
    ...(decoded.payload ? { payload: decoded.payload } : {}),
    headerRows: withExactIntegers(
      decoded.header ? buildClaimRows(decoded.header, 'header', family) : [],
      decoded.exactIntegers,
    ),
    claimRows: withExactIntegers(
      decoded.payload ? buildClaimRows(decoded.payload, 'payload', family) : [],
      decoded.exactIntegers,
    ),
    problems: decoded.problems,
    warnings,
    times,
    ...(issuer ? { issuer } : {}),
    ...(alg ? { alg } : {}),
    ...(kid ? { kid } : {}),
  };
}
