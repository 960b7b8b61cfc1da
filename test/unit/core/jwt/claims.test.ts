import * as assert from 'node:assert/strict';
import {
  buildClaimRows,
  detectIssuerFamily,
  lookupClaim,
  type IssuerFamily,
} from '../../../../src/core/jwt/claims';
import type { ClaimRow } from '../../../../src/core/jwt/types';

const NOW = Date.UTC(2024, 0, 15, 12, 0, 0) / 1000;

const HEADER_PARAMS = [
  'alg',
  'typ',
  'kid',
  'cty',
  'jku',
  'jwk',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'crit',
  'enc',
  'zip',
  'epk',
  'apu',
  'apv',
  'iv',
  'tag',
  'p2s',
  'p2c',
  'b64',
];
const REGISTERED = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];
const OIDC = [
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
  'cnf',
  'scope',
  'client_id',
  'events',
  'act',
  'may_act',
];
const GOOGLE = [
  'azp',
  'email_verified',
  'hd',
  'google',
  'google.compute_engine',
  'google.compute_engine.project_id',
  'google.compute_engine.project_number',
  'google.compute_engine.zone',
  'google.compute_engine.instance_id',
  'google.compute_engine.instance_name',
  'google.compute_engine.instance_creation_timestamp',
  'google.compute_engine.license_id',
];
const GITLAB = [
  'namespace_id',
  'namespace_path',
  'project_id',
  'project_path',
  'user_id',
  'user_login',
  'user_email',
  'user_access_level',
  'user_identities',
  'pipeline_id',
  'pipeline_source',
  'job_id',
  'ref',
  'ref_type',
  'ref_path',
  'ref_protected',
  'environment',
  'environment_protected',
  'deployment_tier',
  'environment_action',
  'runner_id',
  'runner_environment',
  'sha',
  'project_visibility',
  'ci_config_ref_uri',
  'ci_config_sha',
  'groups_direct',
];
const GITHUB = [
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'repository_visibility',
  'actor',
  'actor_id',
  'workflow',
  'workflow_ref',
  'workflow_sha',
  'job_workflow_ref',
  'job_workflow_sha',
  'head_ref',
  'base_ref',
  'event_name',
  'ref',
  'ref_type',
  'ref_protected',
  'run_id',
  'run_number',
  'run_attempt',
  'runner_environment',
  'environment',
  'environment_node_id',
  'sha',
  'enterprise',
  'enterprise_id',
  'check_run_id',
];
const KUBERNETES = [
  'kubernetes.io',
  'kubernetes.io.namespace',
  'kubernetes.io.serviceaccount.name',
  'kubernetes.io.serviceaccount.uid',
  'kubernetes.io.pod.name',
  'kubernetes.io.pod.uid',
  'kubernetes.io.node.name',
  'kubernetes.io.node.uid',
  'kubernetes.io.secret.name',
  'kubernetes.io.warnafter',
];
const SHARED_CI = ['ref', 'ref_type', 'ref_protected', 'sha', 'environment', 'runner_environment'];
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'];

function parse(json: string): Record<string, unknown> {
  return JSON.parse(json) as Record<string, unknown>;
}

function names(rows: readonly ClaimRow[]): string[] {
  return rows.map((row) => row.name);
}

function row(rows: readonly ClaimRow[], name: string): ClaimRow {
  const found = rows.find((candidate) => candidate.name === name);
  assert.ok(found, `no row ${name} in ${names(rows).join(', ')}`);
  return found;
}

describe('core/jwt/claims', () => {
  describe('lookupClaim', () => {
    function expectCatalogued(
      list: readonly string[],
      where: 'header' | 'payload',
      family: IssuerFamily | undefined,
      source: string,
    ): void {
      for (const name of list) {
        const info = lookupClaim(name, where, family);
        assert.ok(info, `${name} is not catalogued`);
        assert.equal(info.source, source, name);
        assert.ok(info.label.trim().length > 0, `${name} has no label`);
        assert.ok(info.description.trim().length > 10, `${name} has no description`);
        assert.doesNotMatch(info.description, /\n/, `${name} has a multi-line description`);
      }
    }

    it('knows every JOSE header parameter', () => {
      expectCatalogued(HEADER_PARAMS, 'header', undefined, 'header');
      assert.equal(lookupClaim('alg', 'header')?.label, 'Algorithm');
    });

    it('keeps header and payload names apart', () => {
      assert.equal(lookupClaim('sub', 'header'), undefined);
      assert.equal(lookupClaim('alg', 'payload'), undefined);
      assert.equal(lookupClaim('x5t#S256', 'payload'), undefined);
    });

    it('knows the RFC 7519 registered claims', () => {
      expectCatalogued(REGISTERED, 'payload', undefined, 'registered');
    });

    it('knows the OpenID Connect and OAuth claims', () => {
      expectCatalogued(OIDC, 'payload', undefined, 'oidc');
    });

    it('knows the Google claims for a Google token', () => {
      expectCatalogued(GOOGLE, 'payload', 'google', 'google');
      assert.equal(
        lookupClaim('azp', 'payload', 'google')?.description,
        'OAuth client / service account unique id that requested the token',
      );
    });

    it('explains azp generically for other issuers', () => {
      assert.equal(lookupClaim('azp', 'payload')?.source, 'oidc');
      assert.notEqual(
        lookupClaim('azp', 'payload')?.description,
        lookupClaim('azp', 'payload', 'google')?.description,
      );
    });

    it('knows every GitLab CI claim for a GitLab token', () => {
      expectCatalogued(GITLAB, 'payload', 'gitlab', 'gitlab');
    });

    it('knows every GitHub Actions claim for a GitHub token', () => {
      expectCatalogued(GITHUB, 'payload', 'github', 'github');
    });

    it('knows the Kubernetes claims for a Kubernetes token', () => {
      expectCatalogued(KUBERNETES, 'payload', 'kubernetes', 'kubernetes');
    });

    it('gives Yandex Cloud meanings to sub and aud', () => {
      expectCatalogued(['sub', 'aud', 'iss'], 'payload', 'yandex', 'yandex');
      assert.match(lookupClaim('sub', 'payload', 'yandex')?.description ?? '', /service account/);
      assert.match(lookupClaim('aud', 'payload', 'yandex')?.description ?? '', /--audience/);
    });

    it('gives each family its own subject format', () => {
      const families: IssuerFamily[] = ['google', 'gitlab', 'github', 'yandex', 'kubernetes'];
      const descriptions = families.map((f) => lookupClaim('sub', 'payload', f)?.description);
      assert.equal(new Set(descriptions).size, families.length);
      assert.match(lookupClaim('sub', 'payload', 'gitlab')?.description ?? '', /^project_path:/);
      assert.match(lookupClaim('sub', 'payload', 'github')?.description ?? '', /^repo:/);
      assert.match(
        lookupClaim('sub', 'payload', 'kubernetes')?.description ?? '',
        /^system:serviceaccount:/,
      );
    });

    it('explains claims GitLab and GitHub share in the right terms', () => {
      for (const name of SHARED_CI) {
        const gitlab = lookupClaim(name, 'payload', 'gitlab');
        const github = lookupClaim(name, 'payload', 'github');
        const neutral = lookupClaim(name, 'payload');
        assert.equal(gitlab?.source, 'gitlab', name);
        assert.equal(github?.source, 'github', name);
        assert.equal(neutral?.source, 'unknown', name);
        assert.ok(neutral?.label, `${name} has no neutral label`);
        assert.notEqual(neutral?.description, gitlab?.description, name);
        assert.notEqual(neutral?.description, github?.description, name);
      }
      for (const name of ['ref', 'sha', 'ref_protected', 'runner_environment']) {
        assert.notEqual(
          lookupClaim(name, 'payload', 'gitlab')?.description,
          lookupClaim(name, 'payload', 'github')?.description,
          name,
        );
      }
      assert.match(lookupClaim('ref', 'payload', 'github')?.description ?? '', /refs\/heads\/main/);
      assert.doesNotMatch(lookupClaim('ref', 'payload', 'gitlab')?.description ?? '', /refs\//);
    });

    it('falls back to the neutral meaning of a shared claim for another family', () => {
      assert.equal(lookupClaim('ref', 'payload', 'google'), lookupClaim('ref', 'payload'));
    });

    it('explains a claim only one family uses when the issuer is unknown', () => {
      assert.equal(lookupClaim('project_path', 'payload')?.source, 'gitlab');
      assert.equal(lookupClaim('repository', 'payload')?.source, 'github');
      assert.equal(lookupClaim('hd', 'payload')?.source, 'google');
      assert.equal(lookupClaim('kubernetes.io', 'payload')?.source, 'kubernetes');
    });

    it("does not lend one family's claims to another", () => {
      assert.equal(lookupClaim('project_path', 'payload', 'github'), undefined);
      assert.equal(lookupClaim('repository', 'payload', 'gitlab'), undefined);
      assert.equal(lookupClaim('hd', 'payload', 'kubernetes'), undefined);
    });

    it('treats prototype names as unknown', () => {
      const families: (IssuerFamily | undefined)[] = [undefined, 'google', 'gitlab', 'github'];
      for (const name of PROTO_NAMES) {
        assert.equal(lookupClaim(name, 'header'), undefined, name);
        for (const family of families)
          assert.equal(lookupClaim(name, 'payload', family), undefined);
      }
    });

    it('does not break on a family name that is not one', () => {
      const family = '__proto__' as IssuerFamily;
      assert.equal(lookupClaim('iss', 'payload', family)?.source, 'registered');
    });
  });

  describe('detectIssuerFamily', () => {
    const cases: [Record<string, unknown>, IssuerFamily | undefined][] = [
      [{ iss: 'https://accounts.google.com' }, 'google'],
      [{ iss: 'accounts.google.com' }, 'google'],
      [{ iss: 'https://oauth2.example', aud: 'https://oauth2.googleapis.com/token' }, 'google'],
      [{ iss: 'https://gitlab.com' }, 'gitlab'],
      [{ iss: 'https://gitlab.com/' }, 'gitlab'],
      [{ iss: 'https://gitlab.example.com', project_path: 'group/project' }, 'gitlab'],
      [{ iss: 'https://gitlab.example.com', pipeline_id: '42' }, 'gitlab'],
      [{ iss: 'https://token.actions.githubusercontent.com' }, 'github'],
      [{ iss: 'https://token.actions.githubusercontent.com/octo-enterprise' }, 'github'],
      [{ iss: 'https://token.actions.githubusercontent.com', project_path: 'g/p' }, 'github'],
      [
        { iss: 'https://ghe.example/_services/token', repository: 'o/r', workflow_ref: 'x' },
        'github',
      ],
      [{ iss: 'https://auth.yandex.cloud' }, 'yandex'],
      [{ iss: 'https://auth.cloud.yandex.com' }, 'yandex'],
      [{ iss: 'https://auth.cloud.yandex.ru' }, 'yandex'],
      [{ iss: 'https://iam.api.cloud.yandex.net/iam/v1/tokens' }, 'yandex'],
      [{ iss: 'ajeabc', aud: 'https://iam.api.cloud.yandex.net/iam/v1/tokens' }, 'yandex'],
      [{ iss: 'https://kubernetes.default.svc.cluster.local' }, 'kubernetes'],
      [{ iss: 'https://kubernetes.default.svc' }, 'kubernetes'],
      [{ iss: 'kubernetes/serviceaccount' }, 'kubernetes'],
      [{ iss: 'https://oidc.eks.eu-west-1.amazonaws.com/id/X', 'kubernetes.io': {} }, 'kubernetes'],
      [{ iss: 'https://k8s.example', sub: 'system:serviceaccount:default:app' }, 'kubernetes'],
      // Entra's access tokens are explained in Entra's terms (issue 11).
      [{ iss: 'https://login.microsoftonline.com/tenant/v2.0' }, 'entra'],
      [{ iss: 'https://evil.example/accounts.google.com' }, undefined],
      [{ iss: 'https://accounts.google.com.evil.example' }, undefined],
      [{ iss: 'https://notgitlab.com' }, undefined],
      [{ iss: 42 }, undefined],
      [{ iss: '::::' }, undefined],
      [{}, undefined],
    ];
    for (const [payload, family] of cases) {
      it(`detects ${String(family)} for ${JSON.stringify(payload)}`, () => {
        assert.equal(detectIssuerFamily(payload), family);
      });
    }

    it('reads only own properties', () => {
      const inherited = Object.create({ iss: 'https://gitlab.com', project_path: 'g/p' }) as Record<
        string,
        unknown
      >;
      assert.equal(detectIssuerFamily(inherited), undefined);
    });
  });

  describe('buildClaimRows', () => {
    it('makes one row per claim in token order, strings as they are, the rest as JSON', () => {
      const payload = parse(
        '{"sub":"a","iss":"b","aud":["x","y"],"admin":true,"n":null,"count":7,"exp":1705320000}',
      );
      const rows = buildClaimRows(payload, 'payload');
      assert.deepEqual(names(rows), ['sub', 'iss', 'aud', 'admin', 'n', 'count', 'exp']);
      assert.deepEqual(
        rows.map((r) => r.display),
        ['a', 'b', '[\n  "x",\n  "y"\n]', 'true', 'null', '7', '1705320000'],
      );
    });

    it('labels known claims and leaves unknown ones bare', () => {
      const rows = buildClaimRows({ iss: 'https://issuer.example', custom: { a: 1 } }, 'payload');
      assert.deepEqual(rows, [
        {
          name: 'iss',
          label: 'Issuer',
          description: lookupClaim('iss', 'payload')?.description,
          source: 'registered',
          display: 'https://issuer.example',
        },
        { name: 'custom', source: 'unknown', display: '{\n  "a": 1\n}' },
      ]);
    });

    it('attaches the time of a date claim', () => {
      const rows = buildClaimRows({ exp: NOW, iat: NOW - 60 }, 'payload');
      assert.equal(row(rows, 'exp').time?.utc, '2024-01-15T12:00:00.000Z');
      assert.equal(row(rows, 'iat').time?.epochSeconds, NOW - 60);
      assert.equal(row(rows, 'exp').warning, undefined);
    });

    it('attaches a warning to a bad date claim', () => {
      const rows = buildClaimRows({ exp: 'tomorrow', nbf: String(NOW) }, 'payload');
      assert.equal(row(rows, 'exp').time, undefined);
      assert.match(row(rows, 'exp').warning ?? '', /not the text "tomorrow"/);
      assert.equal(row(rows, 'nbf').time?.epochSeconds, NOW);
      assert.equal(row(rows, 'nbf').warning, 'NumericDate should be a JSON number, not a string');
    });

    it('does not read dates in the header', () => {
      const rows = buildClaimRows({ alg: 'RS256', iat: NOW }, 'header');
      assert.deepEqual(rows[1], { name: 'iat', source: 'unknown', display: String(NOW) });
      assert.equal(rows[0]?.source, 'header');
    });

    it('does not expand objects in the header', () => {
      const rows = buildClaimRows({ alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } }, 'header');
      assert.deepEqual(names(rows), ['alg', 'jwk']);
      assert.equal(rows[1]?.display, '{\n  "kty": "EC",\n  "crv": "P-256"\n}');
    });

    it('treats prototype names as plain data', () => {
      const payload = parse(
        '{"__proto__":{"polluted":true},"constructor":"c","toString":"t","hasOwnProperty":1}',
      );
      const rows = buildClaimRows(payload, 'payload');
      assert.deepEqual(rows, [
        { name: '__proto__', source: 'unknown', display: '{\n  "polluted": true\n}' },
        { name: 'constructor', source: 'unknown', display: 'c' },
        { name: 'toString', source: 'unknown', display: 't' },
        { name: 'hasOwnProperty', source: 'unknown', display: '1' },
      ]);
      assert.equal((Object.prototype as Record<string, unknown>)['polluted'], undefined);
      assert.deepEqual(names(buildClaimRows(payload, 'header')), names(rows));
    });

    it('adds child rows for the Google metadata server claims', () => {
      const payload = parse(
        JSON.stringify({
          iss: 'https://accounts.google.com',
          azp: '1234567890',
          google: {
            compute_engine: {
              project_id: 'demo',
              project_number: 42,
              zone: 'europe-west1-b',
              instance_id: '99',
              instance_name: 'vm-1',
              instance_creation_timestamp: NOW - 3600,
              license_id: ['1000', '2000'],
            },
          },
          exp: NOW,
        }),
      );
      const rows = buildClaimRows(payload, 'payload');
      assert.deepEqual(names(rows), [
        'iss',
        'azp',
        'google',
        'google.compute_engine',
        'google.compute_engine.project_id',
        'google.compute_engine.project_number',
        'google.compute_engine.zone',
        'google.compute_engine.instance_id',
        'google.compute_engine.instance_name',
        'google.compute_engine.instance_creation_timestamp',
        'google.compute_engine.license_id',
        'exp',
      ]);
      for (const r of rows.slice(1, -1)) assert.equal(r.source, 'google', r.name);
      assert.equal(
        row(rows, 'azp').description,
        'OAuth client / service account unique id that requested the token',
      );
      assert.equal(row(rows, 'google.compute_engine.zone').display, 'europe-west1-b');
      assert.equal(row(rows, 'google.compute_engine.project_number').display, '42');
      assert.equal(
        row(rows, 'google.compute_engine.license_id').display,
        '[\n  "1000",\n  "2000"\n]',
      );
      assert.equal(
        row(rows, 'google.compute_engine.instance_creation_timestamp').time?.epochSeconds,
        NOW - 3600,
      );
      assert.match(row(rows, 'google').display, /"zone": "europe-west1-b"/);
    });

    it('adds child rows for the Kubernetes claims, with the warnafter time', () => {
      const payload = {
        iss: 'https://oidc.eks.eu-west-1.amazonaws.com/id/X',
        'kubernetes.io': {
          namespace: 'default',
          pod: { name: 'app-1', uid: 'p-uid' },
          serviceaccount: { name: 'app', uid: 's-uid' },
          warnafter: NOW,
        },
        sub: 'system:serviceaccount:default:app',
      };
      const rows = buildClaimRows(payload, 'payload');
      assert.deepEqual(names(rows), [
        'iss',
        'kubernetes.io',
        'kubernetes.io.namespace',
        'kubernetes.io.pod',
        'kubernetes.io.pod.name',
        'kubernetes.io.pod.uid',
        'kubernetes.io.serviceaccount',
        'kubernetes.io.serviceaccount.name',
        'kubernetes.io.serviceaccount.uid',
        'kubernetes.io.warnafter',
        'sub',
      ]);
      assert.equal(row(rows, 'kubernetes.io.pod.name').source, 'kubernetes');
      assert.equal(row(rows, 'kubernetes.io.warnafter').time?.epochSeconds, NOW);
      assert.equal(row(rows, 'sub').source, 'kubernetes');
    });

    it('adds child rows for the OpenID Connect address and the confirmation key', () => {
      const rows = buildClaimRows(
        { address: { country: 'FR', formatted: '1 rue X' }, cnf: { jkt: 'abc' } },
        'payload',
      );
      assert.deepEqual(names(rows), [
        'address',
        'address.country',
        'address.formatted',
        'cnf',
        'cnf.jkt',
      ]);
      assert.equal(row(rows, 'address.country').source, 'oidc');
      assert.equal(row(rows, 'cnf.jkt').label, 'JWK thumbprint');
    });

    it('shows unknown members of a known object as unknown rows', () => {
      const rows = buildClaimRows({ google: { foo: 1, __proto__x: 2 } }, 'payload', 'google');
      assert.deepEqual(rows.slice(1), [
        { name: 'google.foo', source: 'unknown', display: '1' },
        { name: 'google.__proto__x', source: 'unknown', display: '2' },
      ]);
    });

    it('expands only objects, not arrays or scalars, of a known container', () => {
      assert.deepEqual(names(buildClaimRows({ google: 'x' }, 'payload')), ['google']);
      assert.deepEqual(names(buildClaimRows({ google: [1, 2] }, 'payload')), ['google']);
      assert.deepEqual(names(buildClaimRows({ google: null }, 'payload')), ['google']);
    });

    it('explains ref, sha and environment by the GitLab or GitHub issuer', () => {
      const claims = { ref: 'main', sha: 'abc', environment: 'prod', runner_environment: 'x' };
      const gitlab = buildClaimRows({ iss: 'https://gitlab.com', ...claims }, 'payload');
      const github = buildClaimRows(
        { iss: 'https://token.actions.githubusercontent.com', ...claims },
        'payload',
      );
      const selfManaged = buildClaimRows(
        { iss: 'https://git.example', project_path: 'g/p', ...claims },
        'payload',
      );
      const other = buildClaimRows({ iss: 'https://ci.example', ...claims }, 'payload');
      for (const name of Object.keys(claims)) {
        assert.equal(row(gitlab, name).source, 'gitlab', name);
        assert.equal(row(selfManaged, name).source, 'gitlab', name);
        assert.equal(row(github, name).source, 'github', name);
        assert.equal(row(other, name).source, 'unknown', name);
        assert.ok(row(other, name).description, name);
      }
      assert.notEqual(row(gitlab, 'ref').description, row(github, 'ref').description);
      assert.equal(row(gitlab, 'iss').source, 'gitlab');
    });

    it('uses the family it is given over the one it would detect', () => {
      const rows = buildClaimRows({ iss: 'https://gitlab.com', ref: 'main' }, 'payload', 'github');
      assert.equal(row(rows, 'ref').source, 'github');
    });

    it('passes very long values through untouched', () => {
      const long = 'x'.repeat(100_000);
      const rows = buildClaimRows({ blob: long, list: [long] }, 'payload');
      assert.equal(rows[0]?.display, long);
      assert.equal(rows[1]?.display, `[\n  "${long}"\n]`);
    });

    it('still shows values JSON cannot write', () => {
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      const rows = buildClaimRows({ big: 10n, circular, nothing: undefined }, 'payload');
      assert.deepEqual(
        rows.map((r) => r.display),
        ['10', '(object that cannot be written as JSON)', 'undefined'],
      );
    });
  });
});
