import { buildClaimRows, detectIssuerFamily } from './claims';
import { decodeCompact } from './decode';
import { extractToken } from './extract';
import { readTimes } from './time';
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
 * Everything the inspector shows about pasted text, without the network: the extracted token,
 * decoded parts with precise per-part problems, explained header and claims, and time claims.
 * @throws TokenExplorerError when the text holds no token at all (see {@link extractToken}).
 */
export function inspectToken(input: string): Inspection {
  const { token, foundIn, repairs } = extractToken(input);
  const decoded = decodeCompact(token);
  const family = decoded.payload ? detectIssuerFamily(decoded.payload) : undefined;
  const warnings = [...decoded.warnings];
  let times = {};
  if (decoded.payload) {
    const read = readTimes(decoded.payload);
    times = read.times;
    warnings.push(...read.warnings);
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
