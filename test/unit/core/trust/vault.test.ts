import assert from 'node:assert/strict';
import { checkVaultRole, getClaim } from '../../../../src/core/trust/vault';
import { NOW, gitlab } from './claims';

// GitLab's Vault example role (docs: ci/secrets/hashicorp_vault / ci/examples/authenticating-with-hashicorp-vault).
const role = (overrides: Record<string, unknown> = {}) => ({
  data: {
    role_type: 'jwt',
    policies: ['myproject-staging'],
    token_explicit_max_ttl: 60,
    user_claim: 'user_email',
    bound_audiences: ['https://vault.example.com'],
    bound_claims: { project_id: '20', ref: 'feature-branch-1', ref_type: 'branch' },
    ...overrides,
  },
});
const run = (doc: Record<string, unknown>, claims: Record<string, unknown> = gitlab) =>
  checkVaultRole(doc, { claims, now: NOW });
const fail = (doc: Record<string, unknown>, claims?: Record<string, unknown>) =>
  run(doc, claims).sections[0]?.findings.find((f) => f.outcome === 'fail');

describe('Vault JWT role', () => {
  it('accepts GitLab’s documented role', () => {
    assert.equal(run(role()).verdict, 'accepted');
  });
  const table: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'bound audience',
      { bound_audiences: ['https://other'] },
      'bound_audiences',
      /invalid audience \(aud\) claim/,
    ],
    [
      'no audience bound while the token has one',
      { bound_audiences: [] },
      'bound_audiences',
      /no audiences bound to the role/,
    ],
    [
      'bound subject',
      { bound_subject: 'project_path:my-group/my-project:ref_type:branch:ref:main' },
      'bound_subject',
      /invalid subject \(sub\) claim/,
    ],
    [
      'bound claim value',
      { bound_claims: { ref: 'main' } },
      'bound_claims["ref"]',
      /does not match any associated bound claim values/,
    ],
    [
      'missing bound claim',
      { bound_claims: { environment_action: 'start' } },
      'bound_claims["environment_action"]',
      /is missing/,
    ],
    [
      'string vs number',
      { bound_claims: { runner_id: '1' } },
      'bound_claims["runner_id"]',
      /differ in type/,
    ],
    [
      'user claim missing',
      { user_claim: 'email' },
      'user_claim',
      /claim \\"email\\" not found in token/,
    ],
    [
      'user claim not a string',
      { user_claim: 'groups_direct' },
      'user_claim',
      /could not be converted to string/,
    ],
    [
      'claim mapping of a list',
      { claim_mappings: { groups_direct: 'groups' } },
      'claim_mappings["groups_direct"]',
      /error converting claim/,
    ],
    ['oidc role', { role_type: 'oidc' }, 'role_type', /oidc role_type is not allowed/],
  ];
  for (const [name, overrides, field, message] of table) {
    it(`rejects: ${name}`, () => {
      const f = fail(role(overrides));
      assert.equal(f?.field, field);
      assert.match(f?.message ?? '', message);
    });
  }
  it('glob bound claims (bound_claims_type=glob) use * only', () => {
    assert.equal(
      run(
        role({
          bound_claims_type: 'glob',
          bound_claims: { ref: 'feature-*', project_path: 'my-group/*' },
        }),
      ).verdict,
      'accepted',
    );
    assert.equal(
      run(role({ bound_claims_type: 'glob', bound_claims: { ref: 'feature?branch-1' } })).verdict,
      'rejected',
    );
    assert.equal(
      run(role({ bound_claims: { ref: 'feature-*' } })).verdict,
      'rejected',
      'string type compares literally',
    );
  });
  it('a list of bound values is ORed and list claims match any element', () => {
    assert.equal(
      run(
        role({
          bound_claims: {
            ref: ['main', 'feature-branch-1'],
            groups_direct: 'myothergroup/myothersubgroup',
          },
        }),
      ).verdict,
      'accepted',
    );
  });
  it('JSON pointers in bound_claims and claim_mappings', () => {
    const claims = { ...gitlab, nested: { a: { 'b/c': 'x' } } };
    assert.equal(getClaim(claims, '/nested/a/b~1c'), 'x');
    assert.equal(
      run(role({ bound_claims: { '/nested/a/b~1c': 'x' } }), claims).verdict,
      'accepted',
    );
  });
  it('token_bound_cidrs leaves the answer open', () => {
    assert.equal(run(role({ token_bound_cidrs: ['10.0.0.0/8'] })).verdict, 'undetermined');
  });
  it('expiry uses the 150 s default leeway', () => {
    assert.equal(run(role(), { ...gitlab, exp: NOW - 100 }).verdict, 'accepted');
    assert.match(fail(role(), { ...gitlab, exp: NOW - 200 })?.message ?? '', /token is expired/);
  });
});
