import * as assert from 'node:assert/strict';
import { remediesFor } from '../../../../../src/core/remedies';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWTPayload } from 'jose';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import { nodeFileReader } from '../../../../../src/core/node/fileReader';
import type { Clock } from '../../../../../src/core/ports';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import {
  gitlabCiProvider,
  gitlabEnvironmentTokens,
} from '../../../../../src/core/providers/gitlab/ciToken';
import { testContext } from '../../../../helpers/context';
import { OidcIssuer } from '../../../../emulators/oidcIssuer';
import { rejectsWith, verifyThroughIssuer } from '../../../helpers/assertions';
import { useTempDir } from '../../../helpers/fixtures';

const AUDIENCE = 'https://vault.example.com';

/**
 * The claims GitLab puts in a job's ID token, for a branch pipeline
 * (https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload).
 */
function gitlabClaims(aud: string | string[], overrides: JWTPayload = {}): JWTPayload {
  const iat = Math.floor(Date.now() / 1000);
  return {
    jti: randomUUID(),
    sub: 'project_path:my-group/my-project:ref_type:branch:ref:main',
    aud,
    iat,
    nbf: iat - 5,
    exp: iat + 300,
    namespace_id: '72',
    namespace_path: 'my-group',
    project_id: '4242',
    project_path: 'my-group/my-project',
    user_id: '17',
    user_login: 'ada',
    user_email: 'ada@example.com',
    user_access_level: 'maintainer',
    user_identities: [],
    pipeline_id: '1001',
    pipeline_source: 'push',
    job_id: '5005',
    ref: 'main',
    ref_type: 'branch',
    ref_path: 'refs/heads/main',
    ref_protected: 'true',
    environment: 'production',
    environment_protected: 'true',
    deployment_tier: 'production',
    environment_action: 'start',
    runner_id: 12,
    runner_environment: 'gitlab-hosted',
    sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
    project_visibility: 'private',
    ci_config_ref_uri: 'gitlab.example.com/my-group/my-project//.gitlab-ci.yml@refs/heads/main',
    ci_config_sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
    groups_direct: ['my-group'],
    ...overrides,
  };
}

interface TestContext extends ProviderContext {
  readonly warnings: string[];
}

function context(
  vars: Record<string, string | undefined>,
  options: { clock?: Clock } = {},
): TestContext {
  const warnings: string[] = [];
  return {
    ...testContext({
      fetch: () => Promise.reject(new Error('this provider never fetches')),
      ...(options.clock ? { clock: options.clock } : {}),
      runner: { run: () => Promise.reject(new Error('this provider never runs commands')) },
      files: nodeFileReader,
      logger: {
        info: () => undefined,
        warn: (message) => warnings.push(message),
        error: () => undefined,
      },
      timeoutMs: 1000,
    }),
    // Read live: a test changes a variable between mints.
    env: { get: (name) => vars[name], homeDir: '/nonexistent', platform: process.platform },
    warnings,
  };
}

function account(settings: Record<string, unknown>): Account {
  return { id: 'gl1', kind: 'gitlab-ci', settings };
}

describe('gitlabCiProvider', () => {
  const tmp = useTempDir('gitlab-ci-', 'suite');
  let issuer: OidcIssuer;
  let token: string;
  let dir: string;

  before(async () => {
    issuer = await OidcIssuer.start();
    token = await issuer.sign(gitlabClaims(AUDIENCE));
    dir = tmp.path;
  });
  after(() => issuer.stop());

  const variable = (name = 'ID_TOKEN_1') => account({ variable: name, instanceUrl: issuer.url });

  it('reads the job token from its variable; it verifies and explains as GitLab', async () => {
    const minted = await gitlabCiProvider.mint(
      variable(),
      { audience: AUDIENCE },
      context({ ID_TOKEN_1: token }),
    );
    assert.equal(minted.token, token);
    const inspection = inspectToken(minted.token);
    assert.equal(minted.expiresAt, (inspection.times.exp ?? 0) * 1000);
    assert.equal((inspection.times.iat ?? 0) - (inspection.times.nbf ?? 0), 5);
    const outcome = await verifyThroughIssuer(inspection, issuer.url, issuer.jwksUrl);
    assert.equal(outcome.status, 'verified');
    const rows = new Map(inspection.claimRows.map((row) => [row.name, row]));
    assert.equal(rows.get('project_path')?.source, 'gitlab');
    assert.equal(rows.get('aud')?.source, 'gitlab');
    assert.match(rows.get('aud')?.description ?? '', /id_tokens/);
  });

  it('takes the token as it is when no audience is asked for', async () => {
    const minted = await gitlabCiProvider.mint(
      variable('GITLAB_OIDC_TOKEN'),
      { audience: '  ' },
      context({ GITLAB_OIDC_TOKEN: `${token}\n` }),
    );
    assert.equal(minted.token, token);
  });

  it('accepts an audience that is one of a list aud', async () => {
    const listed = await issuer.sign(gitlabClaims(['https://a.example', AUDIENCE]));
    const minted = await gitlabCiProvider.mint(
      variable(),
      { audience: AUDIENCE },
      context({ ID_TOKEN_1: listed }),
    );
    assert.equal(minted.token, listed);
  });

  it('reads a file holding the token in quotes and whitespace', async () => {
    const path = join(dir, 'id_token');
    await writeFile(path, `  "${token}"\n\n`);
    const minted = await gitlabCiProvider.mint(
      account({ file: path, instanceUrl: issuer.url }),
      { audience: AUDIENCE },
      context({}),
    );
    assert.equal(minted.token, token);
  });

  it('re-reads the variable on every mint, so a refresh sees a new token', async () => {
    const vars: Record<string, string> = { ID_TOKEN_1: token };
    const ctx = context(vars);
    assert.equal((await gitlabCiProvider.mint(variable(), { audience: '' }, ctx)).token, token);
    const next = await issuer.sign(gitlabClaims(AUDIENCE, { job_id: '5006' }));
    vars.ID_TOKEN_1 = next;
    assert.equal((await gitlabCiProvider.mint(variable(), { audience: '' }, ctx)).token, next);
  });

  it('warns, without failing, when the issuer is not the configured instance', async () => {
    const ctx = context({ ID_TOKEN_1: token });
    await gitlabCiProvider.mint(account({ variable: 'ID_TOKEN_1' }), { audience: '' }, ctx);
    assert.equal(ctx.warnings.length, 1);
    assert.match(ctx.warnings[0] ?? '', /not the account's instance https:\/\/gitlab\.com/);
    assert.ok(!ctx.warnings[0]?.includes(token));
  });

  describe('explains each failure', () => {
    it('an audience other than the one .gitlab-ci.yml declared', async () => {
      const error = await rejectsWith(
        gitlabCiProvider.mint(
          variable(),
          { audience: 'https://other.example' },
          context({ ID_TOKEN_1: token }),
        ),
        'bad-config',
        /is for "https:\/\/vault\.example\.com", not "https:\/\/other\.example"/,
        /GitLab sets aud in \.gitlab-ci\.yml/,
        /ID_TOKEN_1: aud: "https:\/\/other\.example"/,
      );
      assert.ok(!error.message.includes(token));
      // The job's id_tokens entry for the audience asked for, to paste into .gitlab-ci.yml.
      assert.deepEqual(remediesFor(error), [
        {
          kind: 'copyText',
          text: 'id_tokens:\n  ID_TOKEN_1:\n    aud: https://other.example\n',
          label: 'Copy id_tokens',
          pasteInto: 'the job in .gitlab-ci.yml',
        },
      ]);
    });

    it('a variable that is not set, or empty', async () => {
      const unset = await rejectsWith(
        gitlabCiProvider.mint(variable(), { audience: AUDIENCE }, context({})),
        'no-credentials',
        /ID_TOKEN_1 is not set/,
        /only for CI\/CD jobs whose `id_tokens:`/,
        /dev container or a GitLab Workspace/,
        /ID_TOKEN_1:\n {4}aud:/,
      );
      assert.deepEqual(
        remediesFor(unset).map((r) => r.kind === 'copyText' && r.text),
        ['id_tokens:\n  ID_TOKEN_1:\n    aud: https://your-service.example\n'],
      );
      await rejectsWith(
        gitlabCiProvider.mint(variable(), { audience: AUDIENCE }, context({ ID_TOKEN_1: ' ' })),
        'no-credentials',
        /ID_TOKEN_1 is empty/,
      );
    });

    it('a token file that does not exist', async () => {
      await rejectsWith(
        gitlabCiProvider.mint(
          account({ file: join(dir, 'missing') }),
          { audience: '' },
          context({}),
        ),
        'no-credentials',
        /does not exist/,
        /id_tokens/,
      );
    });

    it('a value that is not a JWT, without quoting it', async () => {
      const secret = 'glpat-not-a-token-at-all';
      const error = await rejectsWith(
        gitlabCiProvider.mint(variable(), { audience: '' }, context({ ID_TOKEN_1: secret })),
        'not-a-jwt',
        /\$ID_TOKEN_1 does not hold a JWT \(24 characters\)/,
      );
      assert.ok(!error.message.includes(secret));
    });

    it('a JWT-shaped value that does not decode', async () => {
      const [header] = token.split('.');
      await rejectsWith(
        gitlabCiProvider.mint(
          variable(),
          { audience: '' },
          context({ ID_TOKEN_1: `${header}.!!!.sig` }),
        ),
        'not-a-jwt',
      );
      await rejectsWith(
        gitlabCiProvider.mint(
          variable(),
          { audience: '' },
          context({ ID_TOKEN_1: `${header}.bm90IGpzb24.sig` }),
        ),
        'not-a-jwt',
        /does not decode as a signed token/,
      );
    });

    it('an expired token (the job is over)', async () => {
      const exp = (inspectToken(token).times.exp ?? 0) * 1000;
      const error = await rejectsWith(
        gitlabCiProvider.mint(
          variable(),
          { audience: AUDIENCE },
          context({ ID_TOKEN_1: token }, { clock: { now: () => exp + 1 } }),
        ),
        'bad-credentials',
        /expired at/,
        /run the job again/,
      );
      assert.ok(!error.message.includes(token));
    });

    it('a token without exp', async () => {
      // Re-encoded without exp: the signature no longer matches, which reading does not check.
      const [header = '', payload = '', signature = ''] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
      delete claims.exp;
      const noExp = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature];
      await rejectsWith(
        gitlabCiProvider.mint(
          variable(),
          { audience: '' },
          context({ ID_TOKEN_1: noExp.join('.') }),
        ),
        'bad-response',
        /no readable exp/,
      );
    });

    it('settings that name no source, both, or a bad one', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{}, /Set the environment variable/],
        [{ variable: 'A', file: '/tmp/x' }, /either the variable or the file/],
        [{ variable: '$ID_TOKEN_1' }, /not a variable name/],
        [{ variable: 42 }, /"variable" must be text/],
        [{ variable: 'A', instanceUrl: 'gitlab.example.com' }, /instance URL must be an http/],
      ];
      for (const [settings, message] of cases) {
        assert.match(gitlabCiProvider.validate(account(settings)).join(' '), message);
        await rejectsWith(
          gitlabCiProvider.mint(account(settings), { audience: '' }, context({ A: token })),
          'bad-config',
          message,
        );
      }
      assert.deepEqual(gitlabCiProvider.validate(account({ variable: 'ID_TOKEN_1' })), []);
    });
  });

  it('describes the account by its source and non-default instance', () => {
    assert.equal(
      gitlabCiProvider.describe(account({ variable: 'ID_TOKEN_1' })),
      'GitLab CI: $ID_TOKEN_1',
    );
    assert.equal(
      gitlabCiProvider.describe(
        account({ file: '/run/id_token', instanceUrl: 'https://gitlab.example.com/' }),
      ),
      'GitLab CI: the file /run/id_token (https://gitlab.example.com)',
    );
  });

  describe('gitlabEnvironmentTokens', () => {
    it('finds the variables holding a GitLab ID token, skipping job credentials', async () => {
      const other = await issuer.sign({ sub: 'someone', aud: 'x' });
      const env = context({
        ID_TOKEN_1: token,
        VAULT_ID_TOKEN: ` ${token} `,
        CI_JOB_TOKEN: token,
        OTHER_JWT: other,
        NOT_A_TOKEN: 'hello',
        BROKEN: 'eyJhbGciOiJSUzI1NiJ9.@@@.x',
      }).env;
      const names = [
        'PATH',
        'ID_TOKEN_1',
        'VAULT_ID_TOKEN',
        'CI_JOB_TOKEN',
        'OTHER_JWT',
        'NOT_A_TOKEN',
        'BROKEN',
        'ID_TOKEN_1',
      ];
      assert.deepEqual(gitlabEnvironmentTokens(env, names), [
        { variable: 'ID_TOKEN_1', token },
        { variable: 'VAULT_ID_TOKEN', token },
      ]);
    });

    it('tries the conventional names when given none', () => {
      const env = context({ GITLAB_OIDC_TOKEN: token, SOMETHING_ELSE: token }).env;
      assert.deepEqual(gitlabEnvironmentTokens(env), [{ variable: 'GITLAB_OIDC_TOKEN', token }]);
    });
  });
});
