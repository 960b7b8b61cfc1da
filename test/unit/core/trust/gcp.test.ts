import assert from 'node:assert/strict';
import { extract } from '../../../../src/core/trust/cel';
import { checkGcpProvider } from '../../../../src/core/trust/gcp';
import { NOW, github } from './claims';

const NAME =
  'projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github';
// The shape of `gcloud iam workload-identity-pools providers describe --format=json`, with the
// mapping and condition of Google's GitHub example (docs: workload-identity-federation-with-deployment-pipelines).
const provider = (overrides: Record<string, unknown> = {}) => ({
  name: NAME,
  state: 'ACTIVE',
  attributeMapping: {
    'google.subject': 'assertion.sub',
    'attribute.actor': 'assertion.actor',
    'attribute.repository': 'assertion.repository',
    'attribute.repository_owner': 'assertion.repository_owner',
  },
  attributeCondition: "assertion.repository_owner == 'octo-org'",
  oidc: { issuerUri: 'https://token.actions.githubusercontent.com' },
  ...overrides,
});
const defaultAud = `https://iam.googleapis.com/${NAME}`;
const run = (doc: Record<string, unknown>, claims: Record<string, unknown>) =>
  checkGcpProvider(doc, { claims, now: NOW });
const failing = (report: ReturnType<typeof run>) =>
  report.sections.flatMap((s) => s.findings).find((f) => f.outcome === 'fail');

describe('GCP workload identity pool provider', () => {
  it('accepts the default audience with and without https:', () => {
    assert.equal(run(provider(), { ...github, aud: defaultAud }).verdict, 'accepted');
    assert.equal(
      run(provider(), { ...github, aud: `//iam.googleapis.com/${NAME}` }).verdict,
      'accepted',
    );
  });

  it('rejects sts.amazonaws.com against the default audience, naming expected and actual', () => {
    const report = run(provider(), github);
    assert.equal(report.verdict, 'rejected');
    const fail = failing(report);
    assert.equal(fail?.field, 'oidc.allowedAudiences (default)');
    assert.match(fail?.expected ?? '', /providers\/github/);
    assert.equal(fail?.actual, '"sts.amazonaws.com"');
  });

  it('allowedAudiences replace the default', () => {
    const doc = provider({
      oidc: { issuerUri: github.iss, allowedAudiences: ['sts.amazonaws.com'] },
    });
    assert.equal(run(doc, github).verdict, 'accepted');
    assert.equal(run(doc, { ...github, aud: defaultAud }).verdict, 'rejected');
  });

  it('a default audience written with the project id instead of the number is explained', () => {
    const doc = provider({
      name: 'projects/my-project/locations/global/workloadIdentityPools/p/providers/r',
    });
    const fail = failing(run(doc, { ...github, aud: 'x' }));
    assert.match(fail?.message ?? '', /project number/);
  });

  it('the attribute condition false rejects with its text', () => {
    const report = run(
      provider({ attributeCondition: "assertion.repository_owner == 'other-org'" }),
      { ...github, aud: defaultAud },
    );
    assert.equal(report.verdict, 'rejected');
    assert.equal(failing(report)?.field, 'attributeCondition');
  });

  it('conditions see mapped google and attribute values', () => {
    const doc = provider({
      attributeCondition:
        "attribute.repository == 'octo-org/octo-repo' && google.subject.startsWith('repo:')",
    });
    assert.equal(run(doc, { ...github, aud: defaultAud }).verdict, 'accepted');
  });

  it('issuer mismatch and trailing slash', () => {
    const fail = failing(
      run(provider({ oidc: { issuerUri: 'https://token.actions.githubusercontent.com/' } }), {
        ...github,
        aud: defaultAud,
      }),
    );
    assert.equal(fail?.field, 'oidc.issuerUri');
    assert.match(fail?.message ?? '', /trailing slash/);
  });

  it('google.subject over 127 bytes is rejected', () => {
    const report = run(provider(), { ...github, aud: defaultAud, sub: 'é'.repeat(64) });
    assert.equal(failing(report)?.field, 'attributeMapping["google.subject"]');
    assert.match(failing(report)?.actual ?? '', /128 bytes/);
  });

  it('an OIDC provider without a google.subject mapping is rejected', () => {
    const report = run(provider({ attributeMapping: { 'attribute.x': 'assertion.sub' } }), {
      ...github,
      aud: defaultAud,
    });
    assert.equal(failing(report)?.field, 'attributeMapping["google.subject"]');
  });

  it('Terraform snake_case fields are read too', () => {
    const doc = {
      workload_identity_pool_provider_id: 'github',
      attribute_mapping: { 'google.subject': 'assertion.sub' },
      attribute_condition: "assertion.repository_owner == 'octo-org'",
      oidc: { issuer_uri: github.iss, allowed_audiences: ['sts.amazonaws.com'] },
    };
    assert.equal(run(doc, github).verdict, 'accepted');
  });

  it('a condition outside the evaluator is reported as undetermined, not as a rejection', () => {
    const report = run(provider({ attributeCondition: 'assertion.repository_owner ==' }), {
      ...github,
      aud: defaultAud,
    });
    assert.equal(report.verdict, 'undetermined');
  });

  it('a mapping of a missing claim fails with the evaluator’s reason', () => {
    const report = run(
      provider({
        attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.x': 'assertion.nope' },
      }),
      { ...github, aud: defaultAud },
    );
    assert.equal(failing(report)?.field, 'attributeMapping["attribute.x"]');
  });

  it('extract() takes the text between the template’s prefix and suffix', () => {
    assert.equal(
      extract('repo:octo-org/octo-repo:environment:prod', 'repo:{repo}:'),
      'octo-org/octo-repo',
    );
    assert.equal(extract('a/b/c', 'x{v}'), '');
    assert.equal(extract('user/alice', 'user/{name}'), 'alice');
    const doc = provider({
      attributeMapping: { 'google.subject': "assertion.sub.extract('repo:{repo}:')" },
    });
    const report = run(doc, { ...github, aud: defaultAud });
    assert.match(report.summary, /octo-org\/octo-repo/);
  });
});

describe('GCP CEL: the google variable', () => {
  it('renames google outside strings and fields only', async () => {
    const { aliasGoogle } = await import('../../../../src/core/trust/cel');
    assert.equal(
      aliasGoogle('google.subject == \'google.x\' && a.google == "google"'),
      'google__.subject == \'google.x\' && a.google == "google"',
    );
    assert.equal(aliasGoogle("'admins' in google.groups"), "'admins' in google__.groups");
    assert.equal(aliasGoogle('googled.x'), 'googled.x');
  });
});
