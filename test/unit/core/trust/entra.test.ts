import assert from 'node:assert/strict';
import { checkEntraCredentials } from '../../../../src/core/trust/entra';
import { NOW, github } from './claims';

// Microsoft's GitHub example (docs: workload-identity-federation-create-trust, "GitHub Actions").
const credential = {
  name: 'Testing',
  issuer: 'https://token.actions.githubusercontent.com',
  subject: 'repo:octo-org/octo-repo:environment:prod',
  description: 'Testing',
  audiences: ['api://AzureADTokenExchange'],
};
const token = { ...github, aud: 'api://AzureADTokenExchange' };
const run = (doc: unknown, claims: Record<string, unknown> = token) =>
  checkEntraCredentials(doc, { claims, now: NOW });
const fail = (doc: unknown, claims?: Record<string, unknown>) =>
  run(doc, claims)
    .sections.flatMap((s) => s.findings)
    .find((f) => f.outcome === 'fail');

describe('Entra federated identity credential', () => {
  it('accepts exact issuer, subject and audience', () => {
    assert.equal(run(credential).verdict, 'accepted');
  });
  const table: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'issuer',
      { ...credential, issuer: 'https://token.actions.githubusercontent.com/' },
      'issuer',
      /AADSTS700211/,
    ],
    [
      'subject',
      { ...credential, subject: 'repo:octo-org/octo-repo:ref:refs/heads/main' },
      'subject',
      /AADSTS700213/,
    ],
    [
      'subject case',
      { ...credential, subject: 'repo:Octo-Org/octo-repo:environment:prod' },
      'subject',
      /case-sensitively/,
    ],
    [
      'audience',
      { ...credential, audiences: ['api://AzureADTokenExchange/other'] },
      'audiences',
      /AADSTS700212/,
    ],
  ];
  for (const [name, doc, field, message] of table) {
    it(`rejects a different ${name}`, () => {
      const f = fail(doc);
      assert.equal(f?.field, field);
      assert.match(f?.message ?? '', message);
      assert.ok(f?.expected && f.actual);
    });
  }
  it('a list (az ad app federated-credential list) is accepted when one credential matches', () => {
    const report = run([{ ...credential, name: 'main', subject: 'x' }, credential]);
    assert.equal(report.verdict, 'accepted');
    const graph = run({ value: [{ ...credential, subject: 'x' }] });
    assert.equal(graph.verdict, 'rejected');
  });
  it('flexible credentials: claims matching expression with wildcards', () => {
    const flexible = {
      ...credential,
      subject: undefined,
      claimsMatchingExpression: {
        value:
          "claims['sub'] matches 'repo:octo-org/*' and claims['job_workflow_ref'] eq 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main'",
        languageVersion: 1,
      },
    };
    assert.equal(run(flexible).verdict, 'accepted');
    const other = {
      ...flexible,
      claimsMatchingExpression: {
        value: "claims['sub'] matches 'repo:other/*'",
        languageVersion: 1,
      },
    };
    assert.equal(run(other).verdict, 'rejected');
    const outside = {
      ...flexible,
      claimsMatchingExpression: { value: "claims['sub'] startswith 'repo'", languageVersion: 1 },
    };
    assert.equal(run(outside).verdict, 'undetermined');
  });
});
