import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { TokenExplorerError } from '../../../../src/core/errors';
import { checkTrust } from '../../../../src/core/trust/check';
import { NOW, github, gitlab } from './claims';

const yaml = (text: string) => load(text);
const input = { claims: github, now: NOW };

describe('trust definition detection', () => {
  const table: [string, string, string][] = [
    ['AWS policy', JSON.stringify({ Version: '2012-10-17', Statement: [] }), 'aws-iam-role'],
    [
      'gcloud describe YAML',
      'name: projects/1/locations/global/workloadIdentityPools/p/providers/r\noidc:\n  issuerUri: https://token.actions.githubusercontent.com\nattributeMapping:\n  google.subject: assertion.sub\n',
      'gcp-workload-identity-provider',
    ],
    [
      'Entra credential',
      JSON.stringify({ issuer: 'i', subject: 's', audiences: ['a'] }),
      'entra-federated-credential',
    ],
    [
      'Entra list',
      JSON.stringify([{ issuer: 'i', subject: 's', audiences: ['a'] }]),
      'entra-federated-credential',
    ],
    [
      'Vault role (vault read)',
      JSON.stringify({ data: { user_claim: 'sub', bound_audiences: ['x'] } }),
      'vault-jwt-role',
    ],
    ['Vault role body', 'role_type: jwt\nuser_claim: sub\n', 'vault-jwt-role'],
    [
      'GitHub template',
      JSON.stringify({ use_default: false, include_claim_keys: ['repo'] }),
      'github-sub-template',
    ],
    [
      'GitLab components',
      JSON.stringify({ ci_id_token_sub_claim_components: ['project_path'] }),
      'gitlab-sub-template',
    ],
  ];
  for (const [name, text, kind] of table) {
    it(name, () => assert.equal(checkTrust(text, input, yaml).kind, kind));
  }
  it('unknown text is a clear error that lists the kinds', () => {
    for (const text of ['', 'hello: world', '[1, 2]', '{"a": ']) {
      assert.throws(
        () => checkTrust(text, { claims: gitlab, now: NOW }, yaml),
        (error: unknown) => {
          assert.ok(error instanceof TokenExplorerError);
          assert.match(error.message, /not a trust definition.*AWS IAM role trust policy/);
          return true;
        },
      );
    }
  });
});
