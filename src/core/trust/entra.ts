// Would a Microsoft Entra federated identity credential accept this token?
// issuer, subject and audience must equal the token's iss, sub and aud exactly (case-sensitive);
// one audience per credential, api://AzureADTokenExchange recommended; Entra picks the matching
// credential among the app's (up to 20); the AADSTS7002xx errors name the failing field:
//   https://learn.microsoft.com/en-us/graph/api/resources/federatedidentitycredentials-overview
//   https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-create-trust
//   https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (AADSTS700211/2/3)
// Flexible credentials (claimsMatchingExpression, language version 1: `claims['x'] matches '…'`
// with `*` wildcards, `eq`, joined by `and`):
//   https://learn.microsoft.com/en-us/entra/workload-id/workload-identities-flexible-federated-identity-credentials
import {
  type TrustFinding,
  type TrustInput,
  type TrustReport,
  type TrustSection,
  audiences,
  finding,
  firstWith,
  isRecord,
  show,
  verdictOf,
} from './types';
import { wildcardMatch } from './wildcard';

const SOURCES = [
  'https://learn.microsoft.com/en-us/graph/api/resources/federatedidentitycredentials-overview',
  'https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-create-trust',
  'https://learn.microsoft.com/en-us/entra/workload-id/workload-identities-flexible-federated-identity-credentials',
];
// One comparison of the language: claims['name'] (matches|eq) 'value'.
const TERM = /^claims\['([^'\\]+)'\]\s+(matches|eq)\s+'([^'\\]*)'$/;

/** True for one credential (`{issuer, subject|claimsMatchingExpression, audiences}`) or a list of them. */
export function looksLikeEntraCredential(doc: unknown): boolean {
  const first = Array.isArray(doc)
    ? doc[0]
    : isRecord(doc) && Array.isArray(doc['value'])
      ? doc['value'][0]
      : doc;
  return (
    isRecord(first) &&
    'issuer' in first &&
    'audiences' in first &&
    ('subject' in first || 'claimsMatchingExpression' in first)
  );
}

/** Evaluates federated identity credentials; the token is accepted when one of them matches. */
export function checkEntraCredentials(doc: unknown, input: TrustInput): TrustReport {
  const list = Array.isArray(doc)
    ? doc
    : isRecord(doc) && Array.isArray(doc['value'])
      ? doc['value']
      : [doc];
  const sections: TrustSection[] = list.filter(isRecord).map((credential, index) => ({
    title: `Credential ${typeof credential['name'] === 'string' ? `"${credential['name']}"` : index + 1}`,
    findings: credentialFindings(credential, input),
  }));
  const verdicts = sections.map((s) => verdictOf(s.findings));
  const verdict = verdicts.includes('accepted')
    ? 'accepted'
    : verdicts.includes('undetermined')
      ? 'undetermined'
      : 'rejected';
  const fail = firstWith(sections, 'fail');
  return {
    kind: 'entra-federated-credential',
    label: 'Microsoft Entra federated identity credential',
    verdict,
    summary:
      verdict === 'accepted'
        ? `Credential ${sections[verdicts.indexOf('accepted')]?.title ?? ''} matches issuer, subject and audience.`
        : verdict === 'rejected' && fail
          ? `${fail.message} Expected ${fail.expected ?? ''}, token has ${fail.actual ?? ''}.`
          : 'Cannot tell from the token alone.',
    sections,
    sources: SOURCES,
  };
}

function credentialFindings(
  credential: Record<string, unknown>,
  input: TrustInput,
): TrustFinding[] {
  const { claims } = input;
  const issuer = credential['issuer'];
  const out: TrustFinding[] = [
    finding(
      'issuer',
      claims['iss'] === issuer,
      show(issuer),
      show(claims['iss']),
      'The issuer matches exactly.',
      caseHint(issuer, claims['iss'], 'AADSTS700211: no credential has this issuer.'),
    ),
  ];
  if (typeof credential['subject'] === 'string') {
    const subject = credential['subject'];
    out.push(
      finding(
        'subject',
        claims['sub'] === subject,
        show(subject),
        show(claims['sub']),
        'The subject matches exactly.',
        caseHint(subject, claims['sub'], 'AADSTS700213: no credential has this subject.'),
      ),
    );
  } else {
    out.push(expressionFinding(credential['claimsMatchingExpression'], claims));
  }
  const expected = Array.isArray(credential['audiences'])
    ? credential['audiences'].map(String)
    : [];
  const aud = audiences(claims);
  out.push(
    finding(
      'audiences',
      expected.some((a) => aud.includes(a)),
      expected.map(show).join(' or '),
      aud.map(show).join(', ') || '(absent)',
      'The token’s aud holds the credential’s audience.',
      caseHint(
        expected[0],
        aud[0],
        'AADSTS700212: the token’s aud is not the credential’s audience (usually api://AzureADTokenExchange): mint the token for that audience.',
      ),
    ),
  );
  const { exp } = claims;
  if (typeof exp === 'number' && input.now > exp) {
    out.push({
      field: 'exp',
      outcome: 'fail',
      expected: 'not expired',
      actual: new Date(exp * 1000).toISOString(),
      message: 'The token has expired.',
    });
  }
  return out;
}

function caseHint(expected: unknown, actual: unknown, message: string): string {
  if (
    typeof expected === 'string' &&
    typeof actual === 'string' &&
    expected.toLowerCase() === actual.toLowerCase()
  ) {
    return `${message} They differ only in letter case: Entra compares case-sensitively.`;
  }
  return message;
}

function expressionFinding(raw: unknown, claims: Readonly<Record<string, unknown>>): TrustFinding {
  const field = 'claimsMatchingExpression';
  const text = isRecord(raw) ? raw['value'] : raw;
  if (typeof text !== 'string') {
    return {
      field: 'subject',
      outcome: 'fail',
      expected: 'a subject or a claimsMatchingExpression',
      actual: '(none)',
      message: 'The credential has neither a subject nor an expression.',
    };
  }
  const terms = text.split(/\s+and\s+/);
  const actuals: string[] = [];
  for (const term of terms) {
    const m = TERM.exec(term.trim());
    if (!m) {
      return {
        field,
        outcome: 'unknown',
        expected: text,
        message: `"${term.trim()}" is outside the subset evaluated here (claims['name'] matches|eq 'value', joined by and).`,
      };
    }
    const [, name = '', op, value = ''] = m;
    const actual = claims[name];
    actuals.push(`${name}=${show(actual)}`);
    const ok =
      typeof actual === 'string' &&
      (op === 'eq' ? actual === value : wildcardMatch(value, actual, false));
    if (!ok) {
      return {
        field,
        outcome: 'fail',
        expected: term.trim(),
        actual: show(actual),
        message: `The expression's term on ${name} does not hold for this token.`,
      };
    }
  }
  return {
    field,
    outcome: 'pass',
    expected: text,
    actual: actuals.join(', '),
    message: 'The expression holds.',
  };
}
