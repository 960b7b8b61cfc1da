import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { nodeProcessRunner } from '../../../../../src/core/node/processRunner';
import type { ProcessRunner } from '../../../../../src/core/ports';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import {
  gcloudActiveAccount,
  gcloudListServiceAccounts,
  gcloudProvider,
} from '../../../../../src/core/providers/google/gcloud';
import { makeFakeGcloud } from '../../../../emulators/gcloud/fakeGcloud';
import type { FakeGcloud, FakeGcloudSetup } from '../../../../emulators/gcloud/fakeGcloud';
import { testContext } from '../../../../helpers/context';
import { rejectsWith, verifyGoogleIdToken } from '../../../helpers/assertions';
import { remediesFor } from '../../../../../src/core/remedies';

const USER = 'alice@example.com';
const SA = 'invoker@proj-1.iam.gserviceaccount.com';
const SA2 = 'deployer@proj-1.iam.gserviceaccount.com';
const KEY_SA = 'ci@proj-1.iam.gserviceaccount.com';
const SA3 = 'reader@proj-1.iam.gserviceaccount.com';
const AUDIENCE = 'https://service-abc.a.run.app';
const GCLOUD_CLIENT_ID = '32555940559.apps.googleusercontent.com';

const SETUP: FakeGcloudSetup = {
  activeAccount: USER,
  accounts: [
    { email: USER, type: 'user', uniqueId: '100000000000000000001' },
    { email: KEY_SA, type: 'service_account', uniqueId: '100000000000000000009' },
  ],
  project: 'proj-1',
  configurations: { ci: { account: KEY_SA, project: 'proj-1' } },
  serviceAccounts: [
    { email: SA, uniqueId: '200000000000000000001', displayName: 'Invoker', impersonators: [USER] },
    { email: SA2, uniqueId: '200000000000000000002', disabled: true, impersonators: [SA] },
    { email: 'other@proj-2.iam.gserviceaccount.com', uniqueId: '300' },
    { email: SA3, uniqueId: '200000000000000000003', openIdTokenCreators: [USER] },
  ],
  deniedProjects: ['secret-proj'],
};

function context(runner: ProcessRunner = nodeProcessRunner, timeoutMs = 10_000): ProviderContext {
  return testContext({
    fetch: () => Promise.reject(new Error('gcloud tests make no HTTP calls')),
    runner,
    timeoutMs,
    platform: process.platform,
  });
}

describe('gcloudProvider', () => {
  let fake: FakeGcloud;
  let ctx: ProviderContext;
  const account = (settings: Record<string, unknown> = {}): Account => ({
    id: 'g1',
    kind: 'google-gcloud',
    settings: { gcloudPath: fake.path, ...settings },
  });
  const verify = (token: string, audience: string) =>
    verifyGoogleIdToken(token, fake.jwks, audience);
  const mint = (settings: Record<string, unknown>, audience = AUDIENCE) =>
    gcloudProvider.mint(account(settings), { audience }, ctx);

  before(async () => {
    fake = await makeFakeGcloud(SETUP);
  });
  after(() => fake.cleanup());
  beforeEach(async () => {
    await fake.update({ ...SETUP, fault: 'none', colour: false });
    ctx = context();
  });

  it('mints a token for an impersonated service account that verifies', async () => {
    const minted = await mint({ impersonateServiceAccount: SA, includeEmail: true });
    const { payload } = await verify(minted.token, AUDIENCE);
    assert.equal(payload.email, SA);
    assert.equal(payload.email_verified, true);
    assert.equal(payload.sub, '200000000000000000001');
    assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);
    const calls = await fake.calls();
    assert.deepEqual(calls.at(-1), [
      'auth',
      'print-identity-token',
      `--audiences=${AUDIENCE}`,
      `--impersonate-service-account=${SA}`,
      '--include-email',
      '--quiet',
    ]);
  });

  it('reads the token and the errors of a gcloud whose output is coloured', async () => {
    await fake.update({ colour: true });
    const minted = await mint({ impersonateServiceAccount: SA });
    await verify(minted.token, AUDIENCE);
    const error = await rejectsWith(mint({}), 'user-account-audience');
    assert.match(error.message, /^gcloud auth print-identity-token .*\nERROR: \(gcloud/);
    assert.ok(!['\u001b', '\u009b'].some((c) => error.message.includes(c)), 'escape codes');
  });

  it('leaves the email out unless asked, as generateIdToken does', async () => {
    const { payload } = await verify(
      (await mint({ impersonateServiceAccount: SA })).token,
      AUDIENCE,
    );
    assert.equal(payload.email, undefined);
  });

  it("prints the user's own ID token when the audience is empty", async () => {
    const minted = await mint({}, '');
    const { payload } = await verify(minted.token, GCLOUD_CLIENT_ID);
    assert.equal(payload.email, USER);
    assert.deepEqual((await fake.calls()).at(-1), ['auth', 'print-identity-token', '--quiet']);
  });

  it('passes the account and the configuration', async () => {
    const minted = await mint({ account: KEY_SA, configuration: 'ci' });
    const { payload } = await verify(minted.token, AUDIENCE);
    assert.equal(payload.email, KEY_SA);
    assert.deepEqual((await fake.calls()).at(-1), [
      'auth',
      'print-identity-token',
      KEY_SA,
      `--audiences=${AUDIENCE}`,
      '--configuration=ci',
      '--quiet',
    ]);
  });

  it('keeps an audience with shell metacharacters intact', async () => {
    const audience = 'https://x.example/?a=1&b=$(id);`whoami`';
    const minted = await mint({ impersonateServiceAccount: SA }, audience);
    assert.equal(decodeJwt(minted.token).aud, audience);
  });

  describe('explains each failure', () => {
    it('a user account asked for a custom audience', async () => {
      const error = await rejectsWith(mint({}), 'user-account-audience');
      assert.match(
        error.message,
        /ERROR: \(gcloud\.auth\.print-identity-token\) Invalid account type for `--audiences`\. Requires valid service account\./,
      );
      assert.match(error.message, /only to service accounts/);
      assert.match(error.message, /--role=roles\/iam\.serviceAccountTokenCreator/);
    });

    it("an older gcloud's spelling of the same refusal (account Type)", async () => {
      await fake.update({ fault: 'old-release' });
      const error = await rejectsWith(mint({}), 'user-account-audience');
      assert.match(error.message, /Invalid account Type for `--audiences`/);
      assert.match(error.message, /only to service accounts/);
    });

    it('an impersonator with only the OpenID Token Creator role: gcloud needs Token Creator', async () => {
      const error = await rejectsWith(
        mint({ account: USER, impersonateServiceAccount: SA3 }),
        'permission-denied',
      );
      assert.match(error.message, new RegExp(`Failed to impersonate \\[${SA3}\\]`));
      assert.match(error.message, /iam\.serviceAccounts\.getAccessToken/);
      assert.match(
        error.message,
        new RegExp(
          `add-iam-policy-binding ${SA3} --member=user:alice@example\\.com --role=roles/iam\\.serviceAccountTokenCreator`,
        ),
      );
      assert.deepEqual(remediesFor(error), [
        {
          kind: 'copyCommand',
          command: `gcloud iam service-accounts add-iam-policy-binding ${SA3} --member=user:alice@example.com --role=roles/iam.serviceAccountTokenCreator`,
          label: 'Copy Grant Command',
        },
      ]);
      assert.match(error.message, /serviceAccountOpenIdTokenCreator is not enough/);
    });

    it('a service account whose key was deleted: a new key, not `gcloud auth login`', async () => {
      await fake.update({ fault: 'key-revoked' });
      const error = await rejectsWith(mint({ account: KEY_SA }), 'bad-credentials');
      assert.match(error.message, /invalid_grant: Invalid JWT Signature/);
      assert.match(
        error.message,
        new RegExp(`gcloud auth activate-service-account ${KEY_SA} --key-file=KEY\\.json`),
      );
      assert.doesNotMatch(error.message, /Run `gcloud auth login/);
    });

    it('a session that needs reauthentication', async () => {
      await fake.update({ fault: 'reauth-required' });
      const error = await rejectsWith(mint({ account: USER }, ''), 'bad-credentials');
      assert.match(error.message, /to complete reauthentication/);
      assert.match(error.message, /Run `gcloud auth login alice@example\.com` in a terminal/);
    });

    it('no active account', async () => {
      await fake.update({ activeAccount: null });
      const error = await rejectsWith(mint({}, ''), 'bad-credentials');
      assert.match(error.message, /You do not currently have an active account selected/);
      assert.match(error.message, /`gcloud auth login`/);
    });

    it('an account without credentials', async () => {
      const error = await rejectsWith(mint({ account: 'bob@example.com' }, ''), 'bad-credentials');
      assert.match(error.message, /\[bob@example\.com\] does not have any valid credentials/);
      assert.match(error.message, /gcloud auth login bob@example\.com/);
    });

    it('an expired session', async () => {
      await fake.update({ fault: 'reauth' });
      const error = await rejectsWith(mint({}, ''), 'bad-credentials');
      assert.match(error.message, /problem refreshing your current auth tokens/);
      assert.match(error.message, /gcloud auth login/);
    });

    it('an impersonation that is not permitted, without the WARNING noise', async () => {
      const error = await rejectsWith(
        mint({ account: USER, impersonateServiceAccount: SA2 }),
        'permission-denied',
      );
      assert.match(
        error.message,
        /ERROR: \(gcloud\.auth\.print-identity-token\) PERMISSION_DENIED: Failed to impersonate \[/,
      );
      assert.ok(!error.message.includes('WARNING'));
      assert.match(
        error.message,
        new RegExp(`grant the role on ${SA2}: .*--role=roles/iam\\.serviceAccountTokenCreator`),
      );
      assert.match(error.message, /--member=user:alice@example\.com/);
    });

    it('output that is not a token', async () => {
      await fake.update({ fault: 'garbage' });
      const error = await rejectsWith(mint({ impersonateServiceAccount: SA }), 'not-a-jwt');
      assert.match(error.message, /gcloud printed something that is not a token/);
      assert.ok(!error.message.includes('Proxy'));
    });

    it('a gcloud that hangs, within the timeout', async () => {
      await fake.update({ fault: 'hang' });
      ctx = context(nodeProcessRunner, 300);
      const started = Date.now();
      const error = await rejectsWith(mint({ impersonateServiceAccount: SA }), 'timeout');
      assert.ok(Date.now() - started < 2000);
      assert.match(
        error.message,
        /gcloud auth print-identity-token .* did not finish within 0.3 s/,
      );
    });

    it('a cancelled run', async () => {
      await fake.update({ fault: 'hang' });
      await rejectsWith(
        gcloudProvider.mint(
          account({ impersonateServiceAccount: SA }),
          { audience: AUDIENCE, signal: AbortSignal.timeout(100) },
          ctx,
        ),
        'cancelled',
      );
    });

    it('gcloud not installed there', async () => {
      const missing = join(fake.statePath, '..', 'no-gcloud');
      const error = await rejectsWith(
        gcloudProvider.mint(
          { id: 'g', kind: 'google-gcloud', settings: { gcloudPath: missing } },
          { audience: AUDIENCE },
          ctx,
        ),
        'cli-not-found',
      );
      assert.equal(
        error.message,
        `gcloud was not found at ${missing}. Install the Google Cloud CLI or set tokenExplorer.gcloud.path to its full path.`,
      );
      assert.deepEqual(remediesFor(error), [
        { kind: 'pickExecutable', tool: 'gcloud', setting: 'tokenExplorer.gcloud.path' },
        { kind: 'openSetting', key: 'tokenExplorer.gcloud.path' },
        {
          kind: 'openUrl',
          url: 'https://cloud.google.com/sdk/docs/install',
          label: 'Install Guide',
        },
      ]);
    });

    it('any other gcloud error, quoted', async () => {
      const error = await rejectsWith(mint({ configuration: 'nope' }), 'cli-failed');
      assert.match(error.message, /exit code 1/);
      assert.match(error.message, /ERROR: \(gcloud\) Cannot activate configuration \[nope\]/);
    });

    it('wrong settings, before running anything', async () => {
      const before = (await fake.calls()).length;
      await rejectsWith(mint({ impersonateServiceAccount: '--flag' }), 'bad-config');
      await rejectsWith(mint({ account: '-q' }), 'bad-config');
      assert.equal((await fake.calls()).length, before);
    });
  });

  it('validates settings', () => {
    assert.deepEqual(gcloudProvider.validate(account({ impersonateServiceAccount: SA })), []);
    assert.deepEqual(
      gcloudProvider.validate(account({ impersonateServiceAccount: `${SA2}, ${SA}` })),
      [],
    );
    assert.equal(
      gcloudProvider.validate(account({ impersonateServiceAccount: 'invoker' })).length,
      1,
    );
    assert.equal(gcloudProvider.validate(account({ configuration: 'Bad Name' })).length, 1);
    assert.equal(gcloudProvider.validate(account({ includeEmail: true })).length, 1);
    assert.equal(gcloudProvider.validate(account({ includeEmail: 'yes' })).length, 1);
    assert.equal(gcloudProvider.validate(account({ account: 42 })).length, 1);
  });

  it('describes the account', () => {
    assert.equal(gcloudProvider.describe(account()), 'gcloud: active account');
    assert.equal(
      gcloudProvider.describe(account({ account: USER, impersonateServiceAccount: SA })),
      `gcloud: ${SA} (impersonated by ${USER})`,
    );
  });

  describe('gcloudActiveAccount', () => {
    it('reads the account and project of the active configuration', async () => {
      assert.deepEqual(await gcloudActiveAccount(ctx, fake.path), {
        account: USER,
        project: 'proj-1',
      });
    });

    it('answers an empty object when nothing is set', async () => {
      await fake.update({ activeAccount: null, project: undefined });
      assert.deepEqual(await gcloudActiveAccount(ctx, fake.path), {});
    });

    it('answers undefined when gcloud is missing', async () => {
      assert.equal(await gcloudActiveAccount(ctx, join(fake.statePath, '..', 'none')), undefined);
    });
  });

  describe('gcloudListServiceAccounts', () => {
    it("lists a project's service accounts", async () => {
      assert.deepEqual(await gcloudListServiceAccounts(ctx, fake.path, 'proj-1'), [
        { email: SA2, disabled: true, uniqueId: '200000000000000000002' },
        { email: SA, displayName: 'Invoker', uniqueId: '200000000000000000001' },
        { email: SA3, uniqueId: '200000000000000000003' },
      ]);
      assert.deepEqual((await fake.calls()).at(-1), [
        'iam',
        'service-accounts',
        'list',
        '--project=proj-1',
        '--format=json',
        '--quiet',
      ]);
    });

    it('explains a denied listing', async () => {
      const error = await rejectsWith(
        gcloudListServiceAccounts(ctx, fake.path, 'secret-proj'),
        'permission-denied',
      );
      assert.match(error.message, /roles\/iam\.serviceAccountViewer/);
    });

    it('refuses something that is not a project id', async () => {
      await rejectsWith(gcloudListServiceAccounts(ctx, fake.path, '--all'), 'bad-config');
    });
  });
});

describe('fake gcloud', () => {
  let fake: FakeGcloud;
  before(async () => {
    fake = await makeFakeGcloud(SETUP);
  });
  after(() => fake.cleanup());

  const run = (...args: string[]) => nodeProcessRunner.run(fake.path, args, { timeoutMs: 10_000 });

  it('speaks config get-value and auth list like gcloud', async () => {
    assert.equal((await run('config', 'get-value', 'account')).stdout, `${USER}\n`);
    const list = await run('auth', 'list', '--format=json');
    assert.deepEqual(JSON.parse(list.stdout), [
      { account: USER, status: 'ACTIVE' },
      { account: KEY_SA, status: '' },
    ]);
    const unset = await run('config', 'get-value', 'account', '--configuration', 'ci');
    assert.equal(unset.stdout, `${KEY_SA}\n`);
  });

  it('rejects unknown flags with exit code 2', async () => {
    const result = await run('auth', 'print-identity-token', '--bogus');
    assert.equal(result.exitCode, 2);
    assert.equal(
      result.stderr,
      'ERROR: (gcloud.auth.print-identity-token) unrecognized arguments: --bogus\n',
    );
  });

  it('follows a delegation chain', async () => {
    await fake.update({
      serviceAccounts: [
        { email: SA, uniqueId: '1', impersonators: [USER] },
        { email: SA2, uniqueId: '2', impersonators: [SA] },
      ],
    });
    const result = await run(
      'auth',
      'print-identity-token',
      `--audiences=${AUDIENCE}`,
      `--impersonate-service-account=${SA},${SA2}`,
      '--include-email',
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, /^WARNING: This command is using service account impersonation/);
    assert.equal(decodeJwt(result.stdout.trim()).email, SA2);
  });
});
