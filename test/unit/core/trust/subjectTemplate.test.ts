import assert from 'node:assert/strict';
import { checkSubjectTemplate } from '../../../../src/core/trust/subjectTemplate';
import { NOW, github, gitlab } from './claims';

const run = (doc: Record<string, unknown>, claims: Record<string, unknown>) =>
  checkSubjectTemplate(doc, { claims, now: NOW });

describe('GitHub / GitLab sub templates', () => {
  it('GitHub default template: repo + context (environment)', () => {
    assert.equal(run({ use_default: true }, github).verdict, 'accepted');
  });
  it('GitHub custom keys from the docs example give another sub than the token has', () => {
    const report = run(
      {
        use_default: false,
        include_claim_keys: ['repository_owner', 'context', 'job_workflow_ref'],
      },
      github,
    );
    assert.equal(report.verdict, 'rejected');
    const finding = report.sections[0]?.findings[0];
    assert.equal(
      finding?.expected,
      JSON.stringify(
        'repository_owner:octo-org:environment:prod:job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
      ),
    );
    assert.equal(finding?.actual, JSON.stringify(github.sub));
  });
  it('GitHub context without an environment is the ref', () => {
    const claims = {
      ...github,
      environment: undefined,
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
    };
    assert.equal(run({ use_default: true }, claims).verdict, 'accepted');
  });
  it('GitLab default components and a custom list', () => {
    assert.equal(
      run({ ci_id_token_sub_claim_components: ['project_path', 'ref_type', 'ref'] }, gitlab)
        .verdict,
      'accepted',
    );
    const custom = run(
      { ci_id_token_sub_claim_components: ['project_path', 'environment'] },
      gitlab,
    );
    assert.equal(custom.verdict, 'rejected');
    assert.match(custom.sections[0]?.findings[0]?.expected ?? '', /environment:test-environment2/);
  });
  it('a key the token lacks leaves it undetermined', () => {
    assert.equal(
      run({ include_claim_keys: ['repo', 'no_such_claim'] }, github).verdict,
      'undetermined',
    );
  });
});
