import assert from 'node:assert/strict';
import { checkAwsTrustPolicy } from '../../../../src/core/trust/aws';
import { NOW, github } from './claims';

const FEDERATED = 'arn:aws:iam::123456123456:oidc-provider/token.actions.githubusercontent.com';
const policy = (condition: unknown, extra: Record<string, unknown> = {}) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: FEDERATED },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: condition,
      ...extra,
    },
  ],
});
const run = (doc: Record<string, unknown>, claims: Record<string, unknown> = github) =>
  checkAwsTrustPolicy(doc, { claims, now: NOW });

describe('AWS IAM role trust policy', () => {
  // Each row: a condition block from AWS's or GitHub's documented examples, the claims and the verdict.
  const table: {
    name: string;
    condition: unknown;
    claims?: Record<string, unknown>;
    verdict: string;
    failing?: string;
  }[] = [
    {
      name: 'GitHub docs: StringEquals aud + StringLike sub repo:octo-org/octo-repo:*',
      condition: {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/octo-repo:*' },
      },
      verdict: 'accepted',
    },
    {
      name: 'sub for a branch while the job runs in an environment',
      condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:octo-org/octo-repo:ref:refs/heads/main',
        },
      },
      verdict: 'rejected',
      failing: 'Condition.StringEquals["token.actions.githubusercontent.com:sub"]',
    },
    {
      name: 'wrong audience (the action default)',
      condition: {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      },
      claims: { ...github, aud: 'https://github.com/octo-org' },
      verdict: 'rejected',
      failing: 'Condition.StringEquals["token.actions.githubusercontent.com:aud"]',
    },
    {
      name: 'values of one key are ORed',
      condition: {
        StringLike: {
          'token.actions.githubusercontent.com:sub': ['repo:other/*', 'repo:octo-org/*'],
        },
      },
      verdict: 'accepted',
    },
    {
      name: 'StringLike ? matches one character',
      condition: {
        StringLike: {
          'token.actions.githubusercontent.com:sub': 'repo:octo-org/octo-rep?:environment:prod',
        },
      },
      verdict: 'accepted',
    },
    {
      name: 'StringEquals is case-sensitive; IgnoreCase is not',
      condition: {
        StringEqualsIgnoreCase: {
          'token.actions.githubusercontent.com:sub': 'REPO:OCTO-ORG/OCTO-REPO:ENVIRONMENT:PROD',
        },
      },
      verdict: 'accepted',
    },
    {
      name: 'ForAnyValue:StringLike on a multi-value key',
      condition: {
        'ForAnyValue:StringLike': { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/*' },
      },
      verdict: 'accepted',
    },
    {
      name: 'StringNotLike: NOR of the values',
      condition: {
        StringNotLike: { 'token.actions.githubusercontent.com:sub': ['repo:octo-org/octo-repo:*'] },
      },
      verdict: 'rejected',
    },
    {
      name: 'a key of another provider is absent, so StringEquals fails',
      condition: { StringEquals: { 'gitlab.com:sub': 'x' } },
      verdict: 'rejected',
    },
    {
      name: 'absent key with IfExists passes',
      condition: { StringEqualsIfExists: { 'gitlab.com:sub': 'x' } },
      verdict: 'accepted',
    },
    {
      name: 'Null: true requires the key to be absent',
      condition: { Null: { 'token.actions.githubusercontent.com:sub': 'true' } },
      verdict: 'rejected',
    },
    {
      name: 'GitHub-specific claim keys (2026): repository_id',
      condition: { StringEquals: { 'token.actions.githubusercontent.com:repository_id': '74' } },
      verdict: 'accepted',
    },
    {
      name: 'request keys cannot be decided from the token',
      condition: { StringEquals: { 'sts:RoleSessionName': 'ci' } },
      verdict: 'undetermined',
    },
    {
      name: 'numeric operators are outside the subset',
      condition: { NumericLessThan: { 'token.actions.githubusercontent.com:run_attempt': '3' } },
      verdict: 'undetermined',
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const report = run(policy(row.condition), row.claims);
      assert.equal(report.verdict, row.verdict, report.summary);
      if (row.failing) {
        const fail = report.sections.flatMap((s) => s.findings).find((f) => f.outcome === 'fail');
        assert.equal(fail?.field, row.failing);
        assert.ok(fail?.expected && fail.actual, 'a failing finding shows expected and actual');
      }
    });
  }

  it('reports expected and actual values of the failing sub condition', () => {
    const report = run(
      policy({
        StringEquals: {
          'token.actions.githubusercontent.com:sub': 'repo:octo-org/octo-repo:ref:refs/heads/main',
        },
      }),
    );
    const fail = report.sections.flatMap((s) => s.findings).find((f) => f.outcome === 'fail');
    assert.equal(fail?.actual, '"repo:octo-org/octo-repo:environment:prod"');
    assert.match(fail?.expected ?? '', /refs\/heads\/main/);
    assert.match(report.summary, /implicit deny/);
  });

  it('a statement for another provider or action does not apply', () => {
    const report = run(
      policy({}, { Principal: { Federated: 'arn:aws:iam::1:oidc-provider/gitlab.com' } }),
    );
    assert.equal(report.verdict, 'rejected');
    assert.equal(report.sections[0]?.findings[1]?.field, 'Principal.Federated');
    const action = run(policy({}, { Action: 'sts:AssumeRole' }));
    assert.equal(action.verdict, 'rejected');
    const wildcard = run(policy({}, { Action: 'sts:AssumeRoleWith*' }));
    assert.equal(wildcard.verdict, 'accepted');
  });

  it('trailing-slash difference between provider and iss is named', () => {
    const report = run(policy({}), {
      ...github,
      iss: 'https://token.actions.githubusercontent.com/',
    });
    const fail = report.sections[0]?.findings.find((f) => f.outcome === 'fail');
    assert.match(fail?.message ?? '', /trailing slash/);
  });

  it('an explicit Deny wins over an Allow', () => {
    const doc = policy({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
    });
    (doc.Statement as unknown[]).push({
      Effect: 'Deny',
      Principal: { Federated: FEDERATED },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:actor': 'octocat' } },
    });
    const report = run(doc);
    assert.equal(report.verdict, 'rejected');
    assert.match(report.summary, /Deny/);
  });

  it('multiple statements: the second Allow matches', () => {
    const doc = {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
        policy({ StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/*' } })
          .Statement[0],
      ],
    };
    assert.equal(run(doc).verdict, 'accepted');
  });

  it('Google: :aud is azp when present and :oaud the aud (AWS web identity keys)', () => {
    const claims = {
      iss: 'https://accounts.google.com',
      aud: 'aud-1',
      azp: 'client-1',
      sub: '1',
      exp: NOW + 60,
    };
    const doc = {
      Statement: {
        Effect: 'Allow',
        Principal: { Federated: 'accounts.google.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'accounts.google.com:aud': 'client-1',
            'accounts.google.com:oaud': 'aud-1',
          },
        },
      },
    };
    assert.equal(run(doc, claims).verdict, 'accepted');
  });

  it('an expired token is rejected after AWS’s five-minute skew', () => {
    const doc = policy({});
    assert.equal(run(doc, { ...github, exp: NOW - 200 }).verdict, 'accepted');
    assert.equal(run(doc, { ...github, exp: NOW - 400 }).verdict, 'rejected');
  });
});
