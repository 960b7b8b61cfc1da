// Would an AWS IAM role trust policy let this token through sts:AssumeRoleWithWebIdentity?
// Evaluation logic (explicit Deny wins, then any Allow, else implicit deny):
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// Condition operators, missing keys (false, but true for negated operators, IfExists and
// ForAllValues), AND across operators and keys, OR across values, NOR for negated operators:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
// Web identity keys `<provider>:aud`, `:sub`, `:amr` (Google: `aud` is `azp` when present and
// `oaud` is the token's `aud`):
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
// Provider-specific claims as keys for GitHub, Google, CircleCI and OCI (January 2026):
//   https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/
// Tokens are accepted up to five minutes after `exp` (clock skew):
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html
import {
  type TrustFinding,
  type TrustInput,
  type TrustReport,
  type TrustSection,
  firstWith,
  isRecord,
  show,
  timeFinding,
} from './types';
import { wildcardMatch } from './wildcard';

const ACTION = 'sts:AssumeRoleWithWebIdentity';
const SOURCES = [
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html',
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif',
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
  'https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/',
];
/** Issuers whose own claims AWS STS exposes as condition keys since January 2026. */
const PROVIDER_CLAIM_ISSUERS = [
  'token.actions.githubusercontent.com',
  'accounts.google.com',
  'oidc.circleci.com/org/',
  'auth.identity.',
];
/** Keys every web identity provider gets. */
const STANDARD_KEYS = new Set(['aud', 'sub', 'amr', 'oaud']);

type Values = { readonly present: false } | { readonly present: true; readonly values: string[] };

/** True when the text looks like an IAM policy document with a web identity statement. */
export function looksLikeAwsPolicy(doc: Record<string, unknown>): boolean {
  return 'Statement' in doc;
}

/** Evaluates an IAM role trust policy against the token's claims. */
export function checkAwsTrustPolicy(doc: Record<string, unknown>, input: TrustInput): TrustReport {
  const label = 'AWS IAM role trust policy';
  const rawStatements = doc['Statement'];
  const statements = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const iss = typeof input.claims['iss'] === 'string' ? input.claims['iss'] : '';
  const providerPath = iss.replace(/^https?:\/\//, '');
  const sections: TrustSection[] = [];
  let allowed = false;
  let denied = false;
  let open = false;
  statements.forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const effect = raw['Effect'] === 'Deny' ? 'Deny' : 'Allow';
    const sid = typeof raw['Sid'] === 'string' ? ` (${raw['Sid']})` : '';
    const findings: TrustFinding[] = [actionFinding(raw), principalFinding(raw, providerPath)];
    if (findings.some((f) => f.outcome === 'fail')) {
      sections.push({ title: `Statement ${index + 1}${sid}: ${effect}, does not apply`, findings });
      return;
    }
    findings.push(...conditionFindings(raw['Condition'], input.claims, providerPath));
    const failed = findings.some((f) => f.outcome === 'fail');
    const unknown = findings.some((f) => f.outcome === 'unknown');
    if (effect === 'Allow' && !failed && !unknown) allowed = true;
    if (effect === 'Deny' && !failed && !unknown) denied = true;
    if (!failed && unknown) open = true;
    const state = failed ? 'conditions not met' : unknown ? 'cannot tell' : 'matches';
    sections.push({ title: `Statement ${index + 1}${sid}: ${effect}, ${state}`, findings });
  });
  const time = timeFinding(input, 300, 'IAM OIDC federation');
  sections.push({ title: 'Token lifetime', findings: [time] });
  const expired = time.outcome === 'fail';
  if (denied || (allowed && !expired && !open)) {
    const verdict = denied || expired ? 'rejected' : 'accepted';
    return {
      kind: 'aws-iam-role',
      label,
      verdict,
      summary: denied
        ? 'An explicit Deny statement matches this token: Deny wins over any Allow.'
        : 'An Allow statement for sts:AssumeRoleWithWebIdentity matches every condition.',
      sections,
      sources: SOURCES,
    };
  }
  if (allowed && expired) {
    return {
      kind: 'aws-iam-role',
      label,
      verdict: 'rejected',
      summary: time.message,
      sections,
      sources: SOURCES,
    };
  }
  if (open || allowed) {
    const unknown = firstWith(sections, 'unknown');
    return {
      kind: 'aws-iam-role',
      label,
      verdict: 'undetermined',
      summary: unknown
        ? `Cannot tell from the token alone: ${unknown.field}. ${unknown.message}`
        : 'Cannot tell from the token alone.',
      sections,
      sources: SOURCES,
    };
  }
  const failure = firstWith(sections, 'fail');
  return {
    kind: 'aws-iam-role',
    label,
    verdict: 'rejected',
    summary: failure
      ? `No Allow statement matches (implicit deny). First failing field: ${failure.field}, expected ${failure.expected ?? '?'}, token has ${failure.actual ?? '?'}.`
      : 'No statement allows sts:AssumeRoleWithWebIdentity (implicit deny).',
    sections,
    sources: SOURCES,
  };
}

function actionFinding(statement: Record<string, unknown>): TrustFinding {
  const negated = 'NotAction' in statement;
  const patterns = stringList(negated ? statement['NotAction'] : statement['Action']);
  // Action names are case-insensitive in IAM.
  const hit = patterns.some((p) => wildcardMatch(p.toLowerCase(), ACTION.toLowerCase(), true));
  const ok = negated ? !hit : hit;
  return {
    field: negated ? 'NotAction' : 'Action',
    outcome: ok ? 'pass' : 'fail',
    expected: negated ? `not ${ACTION}` : ACTION,
    actual: patterns.join(', ') || '(none)',
    message: ok
      ? `The statement covers ${ACTION}.`
      : `The statement does not cover ${ACTION}, so it does not apply to this token.`,
  };
}

function principalFinding(statement: Record<string, unknown>, providerPath: string): TrustFinding {
  const principal = statement['Principal'];
  const expected = `Federated: arn:aws:iam::<account>:oidc-provider/${providerPath}`;
  if (principal === '*') {
    return {
      field: 'Principal',
      outcome: 'pass',
      expected,
      actual: '"*"',
      message: 'Any principal.',
    };
  }
  const federated = isRecord(principal) ? stringList(principal['Federated']) : [];
  const matches = federated.filter((arn) => {
    const name = arn.replace(/^arn:aws[a-z-]*:iam::\d+:oidc-provider\//, '');
    return name === providerPath;
  });
  if (matches.length > 0) {
    return {
      field: 'Principal.Federated',
      outcome: 'pass',
      expected,
      actual: matches[0] ?? '',
      message: 'The federated principal is the token issuer’s IAM OIDC provider.',
    };
  }
  const slashOnly = federated.some(
    (arn) =>
      arn.replace(/^.*oidc-provider\//, '').replace(/\/$/, '') === providerPath.replace(/\/$/, ''),
  );
  return {
    field: 'Principal.Federated',
    outcome: 'fail',
    expected,
    actual: federated.join(', ') || show(principal),
    message: slashOnly
      ? 'The provider differs from the token’s iss only by a trailing slash: IAM compares them exactly. Register the provider with the issuer exactly as in iss.'
      : 'The federated principal is not the IAM OIDC provider of this token’s issuer (iss without https://).',
  };
}

function conditionFindings(
  condition: unknown,
  claims: Readonly<Record<string, unknown>>,
  providerPath: string,
): TrustFinding[] {
  if (!isRecord(condition)) return [];
  const out: TrustFinding[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isRecord(block)) continue;
    for (const [key, rawValues] of Object.entries(block)) {
      const field = `Condition.${operator}["${key}"]`;
      const policyValues = stringList(rawValues);
      const context = contextValue(key, claims, providerPath);
      if ('reason' in context) {
        out.push({
          field,
          outcome: 'unknown',
          expected: policyValues.join(' | '),
          message: context.reason,
        });
        continue;
      }
      out.push(evaluateCondition(field, operator, policyValues, context.values, context.note));
    }
  }
  return out;
}

function contextValue(
  key: string,
  claims: Readonly<Record<string, unknown>>,
  providerPath: string,
): { values: Values; note: string } | { reason: string } {
  const colon = key.lastIndexOf(':');
  const prefix = key.slice(0, colon);
  const name = key.slice(colon + 1);
  if (/^(aws|sts)$/i.test(prefix)) {
    return {
      reason: `${key} comes from the request (session name, tags, source identity…), not from the token.`,
    };
  }
  if (prefix !== providerPath) {
    const slash = prefix.replace(/\/$/, '') === providerPath.replace(/\/$/, '');
    return {
      values: { present: false },
      note: slash
        ? `The key's provider "${prefix}" differs from the token's issuer only by a trailing slash; IAM compares exactly, so the key is absent.`
        : `The key belongs to provider "${prefix}", not to this token's issuer "${providerPath}", so it is absent from the request.`,
    };
  }
  const isGoogle = providerPath === 'accounts.google.com';
  let claim: unknown;
  let note = '';
  if (name === 'aud') {
    claim = isGoogle && claims['azp'] !== undefined ? claims['azp'] : claims['aud'];
    if (isGoogle && claims['azp'] !== undefined)
      note = 'For Google, AWS maps :aud to the azp claim.';
  } else if (name === 'oaud') {
    claim = isGoogle ? claims['aud'] : undefined;
  } else if (STANDARD_KEYS.has(name)) {
    claim = claims[name];
  } else if (PROVIDER_CLAIM_ISSUERS.some((p) => providerPath.startsWith(p))) {
    claim = claims[name];
    note = 'AWS STS exposes this provider’s own claims as condition keys (since January 2026).';
  } else {
    return {
      values: { present: false },
      note: `AWS exposes only aud, sub and amr for this issuer, so "${key}" is absent from the request.`,
    };
  }
  if (claim === undefined || claim === null) return { values: { present: false }, note };
  const values = Array.isArray(claim) ? claim.map(String) : [scalar(claim)];
  return { values: { present: true, values }, note };
}

function evaluateCondition(
  field: string,
  operator: string,
  policy: readonly string[],
  context: Values,
  note: string,
): TrustFinding {
  const qualifier = /^(ForAnyValue|ForAllValues):/.exec(operator)?.[1];
  let base = qualifier ? operator.slice(qualifier.length + 1) : operator;
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  const expected = `${base} ${policy.map((v) => JSON.stringify(v)).join(' or ')}`;
  const actual = context.present
    ? context.values.map((v) => JSON.stringify(v)).join(', ')
    : '(absent)';
  const suffix = note ? ` ${note}` : '';
  if (base === 'Null') {
    const wantAbsent = policy.includes('true');
    const ok = wantAbsent ? !context.present : context.present;
    return result(field, ok, wantAbsent ? 'absent' : 'present', actual, suffix);
  }
  const compare = comparator(base);
  if (!compare) {
    return {
      field,
      outcome: 'unknown',
      expected,
      actual,
      message: `The ${base} operator is outside what this check evaluates (string and Null operators).`,
    };
  }
  const negated = /Not/.test(base);
  if (!context.present) {
    const ok = ifExists || negated || qualifier === 'ForAllValues';
    return result(
      field,
      ok,
      expected,
      actual,
      `${ok ? '' : ' The token has no such value.'}${suffix}`,
    );
  }
  const matchesAny = (value: string) => policy.some((p) => compare(p, value));
  let ok: boolean;
  if (qualifier === 'ForAllValues')
    ok = context.values.every((v) => (negated ? !matchesAny(v) : matchesAny(v)));
  else if (qualifier === 'ForAnyValue')
    ok = context.values.some((v) => (negated ? !matchesAny(v) : matchesAny(v)));
  else ok = negated ? !context.values.some(matchesAny) : context.values.some(matchesAny);
  return result(field, ok, expected, actual, suffix);
}

function comparator(base: string): ((policy: string, value: string) => boolean) | undefined {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return (p, v) => p === v;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return (p, v) => p.toLowerCase() === v.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return (p, v) => wildcardMatch(p, v, true);
    case 'Bool':
      return (p, v) => p.toLowerCase() === v.toLowerCase();
    default:
      return undefined;
  }
}

function result(
  field: string,
  ok: boolean,
  expected: string,
  actual: string,
  note: string,
): TrustFinding {
  return {
    field,
    outcome: ok ? 'pass' : 'fail',
    expected,
    actual,
    message: (ok ? 'Condition met.' : 'Condition not met.') + note,
  };
}

function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(scalar);
}

function scalar(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
