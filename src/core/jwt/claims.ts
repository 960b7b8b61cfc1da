import { isRecord } from '../guards';
import type { IssuerFamily } from './family';
import { depthOf, jsonText } from './deepJson';
import { detectIssuerFamily } from './family';

export type { IssuerFamily } from './family';
export { detectIssuerFamily } from './family';
import { DATE_CLAIMS, toClaimTime } from './time';
import type { ClaimRow } from './types';
import type { ClaimInfo } from './claimCatalogue';
import { FAMILIES, GENERIC, HEADER, SHARED_CI } from './claimCatalogue';

export type { ClaimInfo } from './claimCatalogue';

/** Family claims that belong to exactly one family, to explain them when the issuer is unknown. */
const UNIQUE: ReadonlyMap<string, ClaimInfo> = (() => {
  const seen = new Map<string, ClaimInfo | undefined>();
  for (const family of FAMILIES.values()) {
    for (const [name, info] of family) {
      if (GENERIC.has(name) || SHARED_CI.has(name)) continue;
      seen.set(name, seen.has(name) ? undefined : info);
    }
  }
  const unique = new Map<string, ClaimInfo>();
  for (const [name, info] of seen) if (info !== undefined) unique.set(name, info);
  return unique;
})();

/** Catalogued payload claims with catalogued children: their object values get child rows. */
const CONTAINERS: ReadonlySet<string> = (() => {
  const known = new Set([
    ...GENERIC.keys(),
    ...SHARED_CI.keys(),
    ...[...FAMILIES.values()].flatMap((family) => [...family.keys()]),
  ]);
  const containers = new Set<string>();
  for (const name of known) {
    for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
      const parent = name.slice(0, dot);
      if (known.has(parent)) containers.add(parent);
    }
  }
  return containers;
})();

/**
 * Looks up a header parameter or a claim (dotted names for nested claims, e.g.
 * `google.compute_engine.zone`).
 *
 * For the payload, the issuer family's own meaning comes first, then RFC 7519 and OpenID Connect,
 * then a CI-neutral meaning for names GitLab and GitHub share (source 'unknown'). Without a
 * family, a claim only one family uses gets that family's meaning.
 */
export function lookupClaim(
  name: string,
  where: 'header' | 'payload',
  family?: IssuerFamily,
): ClaimInfo | undefined {
  if (where === 'header') return HEADER.get(name);
  return (
    (family === undefined ? undefined : FAMILIES.get(family)?.get(name)) ??
    GENERIC.get(name) ??
    SHARED_CI.get(name) ??
    (family === undefined ? UNIQUE.get(name) : undefined)
  );
}

/**
 * One row per top-level member, in the object's key order, each followed by child rows for the
 * members of a catalogued object claim (`google`, `kubernetes.io`, `address`, `cnf`), named with
 * dots. Strings are shown as they are, other values as indented JSON. NumericDate claims carry
 * their time or a warning. For the payload, `family` defaults to {@link detectIssuerFamily}.
 */
export function buildClaimRows(
  obj: Readonly<Record<string, unknown>>,
  where: 'header' | 'payload',
  family: IssuerFamily | undefined = where === 'payload' ? detectIssuerFamily(obj) : undefined,
): ClaimRow[] {
  const rows: ClaimRow[] = [];
  for (const name of Object.keys(obj)) addRows(rows, name, obj[name], where, family);
  return rows;
}

function addRows(
  rows: ClaimRow[],
  name: string,
  value: unknown,
  where: 'header' | 'payload',
  family: IssuerFamily | undefined,
): void {
  rows.push(makeRow(name, value, where, family));
  if (where !== 'payload' || !CONTAINERS.has(name) || !isRecord(value)) return;
  for (const key of Object.keys(value)) addRows(rows, `${name}.${key}`, value[key], where, family);
}

function makeRow(
  name: string,
  value: unknown,
  where: 'header' | 'payload',
  family: IssuerFamily | undefined,
): ClaimRow {
  const info = lookupClaim(name, where, family);
  const dated = where === 'payload' && DATE_CLAIMS.has(name) ? toClaimTime(value) : {};
  return {
    name,
    ...(info === undefined ? {} : { label: info.label, description: info.description }),
    source: info?.source ?? 'unknown',
    display: displayOf(value),
    ...(dated.time === undefined ? {} : { time: dated.time }),
    ...(dated.warning === undefined ? {} : { warning: dated.warning }),
  };
}

// Beyond this depth a value's display is compact JSON.
const MAX_INDENTED_DEPTH = 32;

/**
 * Strings as they are; anything else as indented JSON whatever its size, or compact JSON when it
 * nests too deep to indent (indentation would grow with the square of the depth).
 */
function displayOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  return depthOf(value, MAX_INDENTED_DEPTH + 1) > MAX_INDENTED_DEPTH
    ? jsonText(value, 0)
    : jsonText(value);
}
