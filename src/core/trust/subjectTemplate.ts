// Does the token's `sub` have the form a GitHub or GitLab sub template produces? A mismatch means
// the trust (written for one form) sees another: the usual cause of "sub does not match" after a
// repository or organisation changed its template.
// GitHub: GET /repos/{owner}/{repo}/actions/oidc/customization/sub → {use_default, include_claim_keys};
// each key renders as `key:value` joined by ":"; `repo` is the repository, `context` the default
// context (environment:NAME, pull_request, or ref:REF); default `repo:{repository}:{context}`:
//   https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#customizing-the-subject-claims-for-an-organization-or-repository
//   https://docs.github.com/en/rest/actions/oidc
// GitLab: project setting ci_id_token_sub_claim_components (default project_path, ref_type, ref):
//   https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload
//   https://docs.gitlab.com/api/projects/ (ci_id_token_sub_claim_components)
import {
  type TrustFinding,
  type TrustInput,
  type TrustReport,
  isRecord,
  show,
  verdictOf,
} from './types';

const GITHUB_SOURCES = [
  'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#customizing-the-subject-claims-for-an-organization-or-repository',
  'https://docs.github.com/en/rest/actions/oidc',
];
const GITLAB_SOURCES = [
  'https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload',
  'https://docs.gitlab.com/api/projects/',
];

/** Which template a document is, if any. */
export function subjectTemplateKind(doc: Record<string, unknown>): 'github' | 'gitlab' | undefined {
  if (Array.isArray(doc['include_claim_keys']) || typeof doc['use_default'] === 'boolean')
    return 'github';
  if (Array.isArray(doc['ci_id_token_sub_claim_components'])) return 'gitlab';
  return undefined;
}

/** Builds the `sub` the template would give this token's claims and compares it with `sub`. */
export function checkSubjectTemplate(doc: Record<string, unknown>, input: TrustInput): TrustReport {
  const github = subjectTemplateKind(doc) === 'github';
  const { claims } = input;
  const keys = github
    ? doc['use_default'] === true || !Array.isArray(doc['include_claim_keys'])
      ? ['repo', 'context']
      : doc['include_claim_keys'].map(String)
    : (doc['ci_id_token_sub_claim_components'] as unknown[]).map(String);
  const findings: TrustFinding[] = [];
  const parts: string[] = [];
  for (const key of keys) {
    const value = github ? githubPart(key, claims) : gitlabPart(key, claims);
    if (value === undefined) {
      findings.push({
        field: github ? `include_claim_keys: ${key}` : `ci_id_token_sub_claim_components: ${key}`,
        outcome: 'unknown',
        expected: `claim ${key}`,
        actual: '(absent)',
        message: `The token has no ${key} claim, so the template's part for it cannot be built.`,
      });
      continue;
    }
    parts.push(value);
  }
  const expected = parts.join(':');
  const sub = claims['sub'];
  if (findings.length === 0) {
    findings.push({
      field: 'sub',
      outcome: sub === expected ? 'pass' : 'fail',
      expected: show(expected),
      actual: show(sub),
      message:
        sub === expected
          ? 'The token’s sub has the template’s form: trusts written for this form will see it.'
          : 'The token’s sub is not what this template gives: the token was minted under another template (or the template changed since). Update the trust’s sub condition, or the template.',
    });
  }
  const verdict = verdictOf(findings);
  return {
    kind: github ? 'github-sub-template' : 'gitlab-sub-template',
    label: github ? 'GitHub Actions OIDC sub template' : 'GitLab ID token sub components',
    verdict,
    summary: findings[findings.length - 1]?.message ?? '',
    sections: [{ title: `Template: ${keys.join(', ')}`, findings }],
    sources: github ? GITHUB_SOURCES : GITLAB_SOURCES,
  };
}

function githubPart(key: string, claims: Readonly<Record<string, unknown>>): string | undefined {
  if (key === 'repo')
    return typeof claims['repository'] === 'string' ? `repo:${claims['repository']}` : undefined;
  if (key === 'context') {
    if (typeof claims['environment'] === 'string') return `environment:${claims['environment']}`;
    if (claims['event_name'] === 'pull_request') return 'pull_request';
    return typeof claims['ref'] === 'string' ? `ref:${claims['ref']}` : undefined;
  }
  const value = claims[key];
  return value === undefined || value === null || isRecord(value)
    ? undefined
    : `${key}:${String(value)}`;
}

function gitlabPart(key: string, claims: Readonly<Record<string, unknown>>): string | undefined {
  const value = claims[key];
  return value === undefined || value === null || isRecord(value)
    ? undefined
    : `${key}:${String(value)}`;
}
