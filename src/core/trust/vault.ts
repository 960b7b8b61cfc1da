// Would a Vault JWT auth role accept this token at POST /v1/auth/<mount>/login?
// The order and the error texts follow hashicorp/vault-plugin-auth-jwt path_login.go (pathLogin,
// createIdentity), claims.go (getClaim with JSON pointers, validateBoundClaims, matchFound with
// ryanuber/go-glob, normalizeList, extractMetadata) and path_role.go (bound_claims_type
// string|glob, user_claim required, 150 s default leeways), and hashicorp/cap jwt/jwt.go for the
// issuer, subject, audience and time errors. Role fields:
//   https://developer.hashicorp.com/vault/api-docs/auth/jwt#create-update-role
import {
  type TrustFinding,
  type TrustInput,
  type TrustReport,
  audiences,
  finding,
  isRecord,
  reportOf,
  show,
} from './types';
import { wildcardMatch } from './wildcard';

const SOURCES = [
  'https://developer.hashicorp.com/vault/api-docs/auth/jwt#create-update-role',
  'https://github.com/hashicorp/vault-plugin-auth-jwt/blob/main/path_login.go',
  'https://github.com/hashicorp/vault-plugin-auth-jwt/blob/main/claims.go',
  'https://github.com/hashicorp/cap/blob/main/jwt/jwt.go',
];
const DEFAULT_LEEWAY = 150;

/** A claim or bound value as Go sees it after JSON decoding with UseNumber. */
type GoValue = { t: 'string'; v: string } | { t: 'number'; v: string } | { t: 'bool'; v: boolean };

/** True for a role (`vault read -format=json auth/jwt/role/R`: the role or `{data: role}`). */
export function looksLikeVaultRole(doc: Record<string, unknown>): boolean {
  const role = isRecord(doc['data']) ? doc['data'] : doc;
  return ['user_claim', 'bound_audiences', 'bound_claims', 'role_type'].some((k) => k in role);
}

/** Evaluates a Vault JWT role (and `bound_issuer` when the pasted document has it). */
export function checkVaultRole(doc: Record<string, unknown>, input: TrustInput): TrustReport {
  const role = isRecord(doc['data']) ? doc['data'] : doc;
  const { claims } = input;
  const findings: TrustFinding[] = [];
  if (role['role_type'] === 'oidc') {
    findings.push({
      field: 'role_type',
      outcome: 'fail',
      expected: '"jwt"',
      actual: '"oidc"',
      message:
        'Vault: "role with oidc role_type is not allowed" for JWT login; use a role with role_type=jwt.',
    });
  }
  const cidrs = strings(role['token_bound_cidrs']);
  if (cidrs.length > 0) {
    findings.push({
      field: 'token_bound_cidrs',
      outcome: 'unknown',
      expected: cidrs.join(', '),
      message:
        'Login is allowed only from these addresses; that depends on where you log in from, not on the token.',
    });
  }
  if (typeof role['bound_issuer'] === 'string' && role['bound_issuer'] !== '') {
    findings.push(
      check(
        'bound_issuer',
        claims['iss'] === role['bound_issuer'],
        show(role['bound_issuer']),
        show(claims['iss']),
        'error validating token: invalid issuer (iss) claim',
      ),
    );
  }
  const boundSubject = role['bound_subject'];
  if (typeof boundSubject === 'string' && boundSubject !== '') {
    findings.push(
      check(
        'bound_subject',
        claims['sub'] === boundSubject,
        show(boundSubject),
        show(claims['sub']),
        'error validating token: invalid subject (sub) claim',
      ),
    );
  }
  findings.push(audienceFinding(strings(role['bound_audiences']), audiences(claims)));
  findings.push(timeFinding(role, input));
  findings.push(...identityFindings(role, claims));
  findings.push(...boundClaimFindings(role, claims));
  return reportOf(
    { kind: 'vault-jwt-role', label: 'Vault JWT auth role', sources: SOURCES },
    [{ title: 'Role', findings }],
    'Vault would log this token in with this role.',
  );
}

function check(
  field: string,
  ok: boolean,
  expected: string,
  actual: string,
  vaultError: string,
): TrustFinding {
  return finding(field, ok, expected, actual, 'Matches.', `Vault: "${vaultError}".`);
}

function audienceFinding(bound: readonly string[], aud: readonly string[]): TrustFinding {
  const actual = aud.map(show).join(', ') || '(absent)';
  if (bound.length === 0) {
    return aud.length > 0
      ? {
          field: 'bound_audiences',
          outcome: 'fail',
          expected: '(none bound)',
          actual,
          message:
            'Vault: "audience claim found in JWT but no audiences bound to the role"; add the token’s aud to bound_audiences.',
        }
      : {
          field: 'bound_audiences',
          outcome: 'pass',
          expected: '(none bound)',
          actual,
          message: 'No audience bound and none in the token.',
        };
  }
  return check(
    'bound_audiences',
    bound.some((b) => aud.includes(b)),
    bound.map(show).join(' or '),
    actual,
    'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
  );
}

function timeFinding(role: Record<string, unknown>, input: TrustInput): TrustFinding {
  const leeway = (key: string) => (typeof role[key] === 'number' ? role[key] : DEFAULT_LEEWAY);
  const { exp, nbf } = input.claims;
  if (typeof exp === 'number' && input.now > exp + leeway('expiration_leeway')) {
    return {
      field: 'exp',
      outcome: 'fail',
      expected: `later than now − ${leeway('expiration_leeway')} s (expiration_leeway)`,
      actual: new Date(exp * 1000).toISOString(),
      message:
        'Vault: "error validating token: invalid expiration time (exp) claim: token is expired".',
    };
  }
  if (typeof nbf === 'number' && input.now + leeway('not_before_leeway') < nbf) {
    return {
      field: 'nbf',
      outcome: 'fail',
      expected: `not later than now + ${leeway('not_before_leeway')} s (not_before_leeway)`,
      actual: new Date(nbf * 1000).toISOString(),
      message:
        'Vault: "error validating token: invalid not before (nbf) claim: token not yet valid".',
    };
  }
  return {
    field: 'exp',
    outcome: 'pass',
    expected: 'not expired (150 s leeway by default)',
    actual: typeof exp === 'number' ? new Date(exp * 1000).toISOString() : '(absent)',
    message: 'Within its lifetime.',
  };
}

function identityFindings(
  role: Record<string, unknown>,
  claims: Readonly<Record<string, unknown>>,
): TrustFinding[] {
  const out: TrustFinding[] = [];
  const userClaim = typeof role['user_claim'] === 'string' ? role['user_claim'] : '';
  if (!userClaim) {
    out.push({
      field: 'user_claim',
      outcome: 'fail',
      expected: 'a claim name',
      actual: '(none)',
      message: 'Vault: "a user claim must be defined on the role".',
    });
  } else {
    const pointer = role['user_claim_json_pointer'] === true;
    const value = pointer ? getClaim(claims, userClaim) : claims[userClaim];
    if (value === undefined || value === null) {
      out.push({
        field: 'user_claim',
        outcome: 'fail',
        expected: `claim ${show(userClaim)}`,
        actual: '(absent)',
        message: `Vault: "claim \\"${userClaim}\\" not found in token".`,
      });
    } else if (typeof value !== 'string') {
      out.push({
        field: 'user_claim',
        outcome: 'fail',
        expected: 'a string',
        actual: show(value),
        message: `Vault: "claim \\"${userClaim}\\" could not be converted to string".`,
      });
    } else {
      out.push({
        field: 'user_claim',
        outcome: 'pass',
        expected: show(userClaim),
        actual: show(value),
        message: `The entity alias name will be ${show(value)}.`,
      });
    }
  }
  const mappings = isRecord(role['claim_mappings']) ? role['claim_mappings'] : {};
  for (const [source, target] of Object.entries(mappings)) {
    const value = getClaim(claims, source);
    if (value === undefined || value === null) {
      out.push({
        field: `claim_mappings["${source}"]`,
        outcome: 'info',
        expected: String(target),
        actual: '(absent)',
        message: 'Claim absent: no metadata for it.',
      });
    } else if (typeof value !== 'string') {
      out.push({
        field: `claim_mappings["${source}"]`,
        outcome: 'fail',
        expected: 'a string claim',
        actual: show(value),
        message: `Vault: "error converting claim '${source}' to string".`,
      });
    } else {
      out.push({
        field: `claim_mappings["${source}"]`,
        outcome: 'info',
        expected: String(target),
        actual: show(value),
        message: `Alias metadata ${String(target)} = ${show(value)}.`,
      });
    }
  }
  const groupsClaim = typeof role['groups_claim'] === 'string' ? role['groups_claim'] : '';
  if (groupsClaim) {
    const value = getClaim(claims, groupsClaim);
    const ok =
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((g) => typeof g === 'string'));
    out.push(
      value === undefined || value === null
        ? {
            field: 'groups_claim',
            outcome: 'fail',
            expected: `claim ${show(groupsClaim)}`,
            actual: '(absent)',
            message: `Vault: "failed to fetch groups: \\"${groupsClaim}\\" claim not found in token".`,
          }
        : {
            field: 'groups_claim',
            outcome: ok ? 'pass' : 'fail',
            expected: 'a string or list of strings',
            actual: show(value),
            message: ok
              ? 'Group aliases come from this claim.'
              : `Vault: "${groupsClaim}" claim could not be converted to string list.`,
          },
    );
  }
  return out;
}

function boundClaimFindings(
  role: Record<string, unknown>,
  claims: Readonly<Record<string, unknown>>,
): TrustFinding[] {
  const bound = isRecord(role['bound_claims']) ? role['bound_claims'] : {};
  const glob = role['bound_claims_type'] === 'glob';
  const out: TrustFinding[] = [];
  for (const [claim, expectedRaw] of Object.entries(bound)) {
    const field = `bound_claims["${claim}"]${glob ? ' (glob)' : ''}`;
    const actualRaw = getClaim(claims, claim);
    const expected = normalizeList(expectedRaw, false);
    if (actualRaw === undefined || actualRaw === null) {
      out.push({
        field,
        outcome: 'fail',
        expected: showList(expected),
        actual: '(absent)',
        message: `Vault: "error validating claims: claim \\"${claim}\\" is missing".`,
      });
      continue;
    }
    const actual = normalizeList(actualRaw, true);
    if (!actual || !expected) {
      out.push({
        field,
        outcome: 'fail',
        expected: show(expectedRaw),
        actual: show(actualRaw),
        message: 'Vault: "received claim is not a string, bool, int or list".',
      });
      continue;
    }
    const ok = expected.some((e) => actual.some((a) => matches(e, a, glob)));
    out.push(
      ok
        ? {
            field,
            outcome: 'pass',
            expected: showList(expected),
            actual: showList(actual),
            message: 'Matches one of the bound values.',
          }
        : {
            field,
            outcome: 'fail',
            expected: showList(expected),
            actual: showList(actual),
            message: `Vault: "error validating claims: claim \\"${claim}\\" does not match any associated bound claim values".${typeHint(expected, actual)}`,
          },
    );
  }
  return out;
}

function matches(expected: GoValue, actual: GoValue, glob: boolean): boolean {
  if (glob)
    return (
      expected.t === 'string' && actual.t === 'string' && wildcardMatch(expected.v, actual.v, false)
    );
  return expected.t === actual.t && expected.v === actual.v;
}

function typeHint(expected: readonly GoValue[], actual: readonly GoValue[]): string {
  const same = expected.some((e) => actual.some((a) => String(e.v) === String(a.v) && e.t !== a.t));
  return same
    ? ' The values are equal as text but differ in type (string vs number or bool): Vault compares the JSON types.'
    : '';
}

/** normalizeList of claims.go; token numbers become integers as getClaim does (strconv.Itoa(int(v))). */
function normalizeList(raw: unknown, fromToken: boolean): GoValue[] | undefined {
  const one = (v: unknown): GoValue | undefined => {
    if (typeof v === 'string') return { t: 'string', v };
    if (typeof v === 'boolean') return { t: 'bool', v };
    if (typeof v === 'number')
      return { t: 'number', v: fromToken ? String(Math.trunc(v)) : String(v) };
    return undefined;
  };
  const list = Array.isArray(raw) ? raw : [raw];
  const out = list.map(one);
  return out.every((v): v is GoValue => v !== undefined) ? out : undefined;
}

function showList(values: readonly GoValue[] | undefined): string {
  return (values ?? [])
    .map((v) => (v.t === 'string' ? JSON.stringify(v.v) : String(v.v)))
    .join(', ');
}

/** getClaim of claims.go: a JSON pointer when it starts with "/", else a top-level claim. */
export function getClaim(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (!name.startsWith('/')) return claims[name];
  let node: unknown = claims;
  for (const raw of name.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (isRecord(node)) node = node[key];
    else return undefined;
  }
  return node;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return value ? value.split(',').map((s) => s.trim()) : [];
  return Array.isArray(value) ? value.map(String) : [];
}
