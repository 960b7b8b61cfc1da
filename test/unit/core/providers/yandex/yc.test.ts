import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import { JwksCache } from '../../../../../src/core/jwt/jwks';
import { verifySignature } from '../../../../../src/core/jwt/verify';
import { nodeProcessRunner } from '../../../../../src/core/node/processRunner';
import type { ProcessResult, ProcessRunner } from '../../../../../src/core/ports';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import {
  yandexCliProvider,
  ycListServiceAccounts,
  ycProfiles,
} from '../../../../../src/core/providers/yandex/yc';
import { remediesFor } from '../../../../../src/core/remedies';
import { testContext } from '../../../../helpers/context';
import { makeFakeYc } from '../../../../emulators/yc/fakeYc';
import type { FakeYc, FakeYcSetup } from '../../../../emulators/yc/fakeYc';
import { rejectsWith } from '../../../helpers/assertions';

// The issuer https://yandex.cloud/en/docs/iam/concepts/authorization/id-token gives.
const ISSUER = 'https://auth.cloud.yandex.com';
const SA = 'ajeinvoker0000000001';
const SA2 = 'ajedeployer000000002';
const FOLDER = 'b1gfolder00000000001';
const FOLDER2 = 'b1gfolder00000000002';
const AUDIENCE = 'https://functions.yandexcloud.net/d4e00000000000000000';

const SETUP: FakeYcSetup = {
  profiles: {
    default: { hasToken: true, folderId: FOLDER, cloudId: 'b1gcloud000000000001' },
    ci: { hasToken: true, folderId: FOLDER2 },
    empty: { hasToken: false },
    stale: { hasToken: true, tokenExpired: true, folderId: FOLDER },
  },
  activeProfile: 'default',
  serviceAccounts: [
    {
      id: SA,
      name: 'invoker',
      folderId: FOLDER,
      createdAt: '2024-09-08T18:59:45Z',
      description: 'Calls the function',
      tokenCreators: ['default', 'stale'],
    },
    {
      id: SA2,
      name: 'deployer',
      folderId: FOLDER,
      createdAt: '2023-06-27T16:18:18Z',
      lastAuthenticatedAt: '2025-02-18T10:20:00Z',
      tokenCreators: ['ci'],
    },
    {
      id: 'ajeother000000000003',
      name: 'other',
      folderId: FOLDER2,
      createdAt: '2025-01-01T00:00:00Z',
    },
  ],
  deniedFolders: ['b1gsecret00000000001'],
};

function context(
  runner: ProcessRunner = nodeProcessRunner,
  timeoutMs = 10_000,
  ycPath?: string,
): ProviderContext {
  return {
    ...testContext({
      fetch: () => Promise.reject(new Error('yc tests make no HTTP calls')),
      runner,
      homeDir: '/nonexistent',
      platform: process.platform,
      timeoutMs,
    }),
    ...(ycPath ? { ycPath } : {}),
  };
}

/** A runner that answers every run with one result, for outputs the fake never produces. */
function cannedRunner(result: ProcessResult): ProcessRunner {
  return { run: () => Promise.resolve(result) };
}

describe('yandexCliProvider', () => {
  let fake: FakeYc;
  let ctx: ProviderContext;
  const account = (settings: Record<string, unknown> = {}): Account => ({
    id: 'y1',
    kind: 'yandex-cli',
    settings: { ycPath: fake.path, serviceAccountId: SA, ...settings },
  });
  const verify = (token: string, audience: string) =>
    jwtVerify(token, createLocalJWKSet(fake.jwks), { issuer: ISSUER, audience });
  const mint = (settings: Record<string, unknown> = {}, audience = AUDIENCE) =>
    yandexCliProvider.mint(account(settings), { audience }, ctx);

  before(async () => {
    fake = await makeFakeYc(SETUP);
  });
  after(() => fake.cleanup());
  beforeEach(async () => {
    await fake.update({ ...SETUP, fault: 'none', colour: false });
    ctx = context();
  });

  it('mints a token whose audience defaults to the service account id', async () => {
    const minted = await mint({}, '');
    const { payload, protectedHeader } = await verify(minted.token, SA);
    assert.equal(payload.sub, SA);
    assert.equal(payload.aud, SA);
    assert.equal(typeof payload.jti, 'string');
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);
    assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
    assert.deepEqual(Object.keys(protectedHeader).sort(), ['alg', 'kid']);
    assert.equal(protectedHeader.alg, 'RS256');
    assert.deepEqual((await fake.calls()).at(-1), ['iam', 'create-id-token', `--subject-id=${SA}`]);
  });

  it('reads the token and the errors of a yc whose output is coloured', async () => {
    await fake.update({ colour: true });
    const minted = await mint({}, AUDIENCE);
    assert.equal((await verify(minted.token, AUDIENCE)).payload.sub, SA);
    await fake.update({ activeProfile: null });
    const error = await rejectsWith(mint({}, AUDIENCE), 'bad-config', /profile '' was not found/);
    assert.ok(!['\u001b', '\u009b'].some((c) => error.message.includes(c)), 'escape codes');
  });

  it('finds yc where its installer puts it when it is not on PATH', async () => {
    const home = await mkdtemp(join(tmpdir(), 'yc-home-'));
    try {
      await mkdir(join(home, 'yandex-cloud', 'bin'), { recursive: true });
      await copyFile(fake.path, join(home, 'yandex-cloud', 'bin', 'yc'));
      await chmod(join(home, 'yandex-cloud', 'bin', 'yc'), 0o755);
      const installed = { ...ctx, env: { ...ctx.env, homeDir: home, platform: 'linux' } };
      const minted = await yandexCliProvider.mint(
        { id: 'y1', kind: 'yandex-cli', settings: { serviceAccountId: SA } },
        { audience: AUDIENCE },
        installed,
      );
      assert.equal((await verify(minted.token, AUDIENCE)).payload.sub, SA);
      const missing = { ...ctx, env: { ...ctx.env, homeDir: join(home, 'none') } };
      await rejectsWith(
        yandexCliProvider.mint(
          { id: 'y1', kind: 'yandex-cli', settings: { serviceAccountId: SA } },
          { audience: AUDIENCE },
          missing,
        ),
        'cli-not-found',
        /not found on PATH nor where its installer puts it \(.*yandex-cloud\/bin\/yc\)/,
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('passes the audience, the profile and the folder', async () => {
    const minted = await mint({ serviceAccountId: SA2, profile: 'ci', folderId: FOLDER2 });
    const { payload } = await verify(minted.token, AUDIENCE);
    assert.equal(payload.sub, SA2);
    assert.deepEqual((await fake.calls()).at(-1), [
      'iam',
      'create-id-token',
      `--subject-id=${SA2}`,
      `--audience=${AUDIENCE}`,
      '--profile=ci',
      `--folder-id=${FOLDER2}`,
    ]);
  });

  it('keeps an audience with shell metacharacters intact', async () => {
    const audience = 'https://x.example/?a=1&b=$(id);`whoami` --profile=ci';
    const minted = await mint({}, audience);
    assert.equal(decodeJwt(minted.token).aud, audience);
  });

  it('runs the yc of the machine setting when the account names none', async () => {
    ctx = context(nodeProcessRunner, 10_000, fake.path);
    const minted = await yandexCliProvider.mint(
      { id: 'y2', kind: 'yandex-cli', settings: { serviceAccountId: SA } },
      { audience: AUDIENCE },
      ctx,
    );
    assert.equal(decodeJwt(minted.token).sub, SA);
  });

  it('mints tokens the inspector verifies and explains as Yandex Cloud ones', async () => {
    const { token } = await mint();
    const inspection = inspectToken(token);
    const outcome = await verifySignature(inspection, {
      keySource: { kind: 'jwks', json: JSON.stringify(fake.jwks) },
      jwks: new JwksCache(fetch, { now: Date.now }, { timeoutMs: 1000 }),
      allowNetwork: false,
    });
    assert.equal(outcome.status, 'verified');
    assert.equal(inspection.issuer, ISSUER);
    const sub = inspection.claimRows.find((row) => row.name === 'sub');
    assert.equal(sub?.source, 'yandex');
    assert.match(sub?.description ?? '', /Yandex Cloud service account/);
    assert.equal(inspection.claimRows.find((row) => row.name === 'jti')?.source, 'yandex');
  });

  it('mints PS256 tokens when Yandex signs with PS256', async () => {
    const ps = await makeFakeYc({ ...SETUP, algorithm: 'PS256' });
    try {
      const { token } = await yandexCliProvider.mint(
        { id: 'y3', kind: 'yandex-cli', settings: { ycPath: ps.path, serviceAccountId: SA } },
        { audience: '' },
        ctx,
      );
      assert.equal(decodeProtectedHeader(token).alg, 'PS256');
      await jwtVerify(token, createLocalJWKSet(ps.jwks), { issuer: ISSUER, audience: SA });
      const outcome = await verifySignature(inspectToken(token), {
        keySource: { kind: 'jwks', json: JSON.stringify(ps.jwks) },
        jwks: new JwksCache(fetch, { now: Date.now }, { timeoutMs: 1000 }),
        allowNetwork: false,
      });
      assert.equal(outcome.status, 'verified');
    } finally {
      await ps.cleanup();
    }
  });

  describe('explains each failure', () => {
    it('an unknown profile', async () => {
      const error = await rejectsWith(
        mint({ profile: 'nope' }),
        'bad-config',
        /profile 'nope' was not found/,
        /yc config profile list/,
        /yc init --profile nope/,
      );
      assert.ok(error.message.startsWith(`yc iam create-id-token --subject-id=${SA}`));
      // The profile is the account's setting.
      assert.deepEqual(remediesFor(error), [{ kind: 'editAccountSettings' }]);
    });

    it('no active profile', async () => {
      await fake.update({ activeProfile: null });
      await rejectsWith(mint(), 'bad-config', /profile '' was not found/);
    });

    it('a profile without credentials', async () => {
      const error = await rejectsWith(
        mint({ profile: 'empty' }),
        'bad-credentials',
        /ERROR: no credentials found in profile 'empty'/,
        /the profile "empty"/,
        /`yc init --profile empty`/,
      );
      assert.deepEqual(remediesFor(error), [
        { kind: 'copyCommand', command: 'yc init --profile empty', label: 'Copy Command' },
      ]);
    });

    it('an expired sign-in', async () => {
      const error = await rejectsWith(
        mint({ profile: 'stale' }),
        'bad-credentials',
        /code = Unauthenticated desc = OAuth token is invalid or expired/,
        /`yc init --profile stale`/,
      );
      assert.ok(!error.message.includes('Use client-trace-id'));
    });

    it('a service account the profile may not create tokens for', async () => {
      const error = await rejectsWith(
        mint({ serviceAccountId: SA2 }),
        'permission-denied',
        /^yc iam create-id-token .* failed \(exit code 1\):\nERROR: rpc error: code = PermissionDenied desc = Permission denied\nclient-request-id: /,
        /a role that allows creating tokens for the service account, e\.g\. iam\.serviceAccounts\.tokenCreator/,
        new RegExp(
          `yc iam service-account add-access-binding ${SA2} --role iam.serviceAccounts.tokenCreator`,
        ),
      );
      assert.match(error.message, /client-trace-id: /);
    });

    it('an unknown service account', async () => {
      const error = await rejectsWith(
        mint({ serviceAccountId: 'ajemissing0000000000' }),
        'bad-config',
        /ERROR: rpc error: code = NotFound desc = Service account ajemissing0000000000 not found/,
        /The service account ajemissing0000000000 does not exist/,
        /yc iam service-account list/,
      );
      assert.deepEqual(remediesFor(error), [{ kind: 'editAccountSettings' }]);
    });

    it('output that is not a token', async () => {
      await fake.update({ fault: 'garbage' });
      const error = await rejectsWith(
        mint(),
        'not-a-jwt',
        /yc printed something that is not a token \(\d+ characters\)/,
      );
      assert.ok(!error.message.includes('Proxy'));
    });

    it('nothing printed at all', async () => {
      ctx = context(cannedRunner({ stdout: '\n', stderr: '', exitCode: 0 }));
      await rejectsWith(mint(), 'not-a-jwt', /nothing on standard output/);
    });

    it('a yc that hangs, within the timeout', async () => {
      await fake.update({ fault: 'hang' });
      ctx = context(nodeProcessRunner, 500);
      const started = Date.now();
      await rejectsWith(
        mint(),
        'timeout',
        /^yc iam create-id-token .* did not finish within 0\.5 s and was stopped/,
        /sign-in in the browser/,
      );
      assert.ok(Date.now() - started < 2500);
    });

    it('a cancelled run', async () => {
      await fake.update({ fault: 'hang' });
      await rejectsWith(
        yandexCliProvider.mint(
          account(),
          { audience: AUDIENCE, signal: AbortSignal.timeout(100) },
          ctx,
        ),
        'cancelled',
      );
    });

    it('yc not installed there', async () => {
      const missing = join(fake.statePath, '..', 'no-yc');
      const error = await rejectsWith(mint({ ycPath: missing }), 'cli-not-found');
      assert.equal(
        error.message,
        `yc was not found at ${missing}. Install the Yandex Cloud CLI or set tokenExplorer.yc.path to its full path.`,
      );
    });

    it('any other yc error, quoted from its ERROR line on', async () => {
      ctx = context(
        cannedRunner({
          stdout: '',
          stderr: 'WARNING: a new version is available\nERROR: something unexpected\n',
          exitCode: 1,
        }),
      );
      const error = await rejectsWith(
        mint(),
        'cli-failed',
        /exit code 1\):\nERROR: something unexpected\nRun the same command in a terminal/,
      );
      assert.ok(!error.message.includes('WARNING'));
    });

    it('wrong settings, before running anything', async () => {
      const before = (await fake.calls()).length;
      await rejectsWith(mint({ serviceAccountId: '--audience=x' }), 'bad-config', /not a Yandex/);
      await rejectsWith(mint({ profile: '-q' }), 'bad-config', /must not start with '-'/);
      await rejectsWith(mint({ folderId: '--all' }), 'bad-config', /folder id/);
      await rejectsWith(mint({ serviceAccountId: '' }), 'bad-config', /is required/);
      assert.equal((await fake.calls()).length, before);
    });
  });

  it('validates settings', () => {
    assert.deepEqual(yandexCliProvider.validate(account()), []);
    assert.deepEqual(
      yandexCliProvider.validate(account({ profile: 'my_profile.prod-1', folderId: FOLDER })),
      [],
    );
    assert.equal(yandexCliProvider.validate(account({ serviceAccountId: undefined })).length, 1);
    assert.equal(yandexCliProvider.validate(account({ serviceAccountId: 'AJE123' })).length, 1);
    assert.equal(yandexCliProvider.validate(account({ serviceAccountId: `${SA}0` })).length, 1);
    assert.equal(yandexCliProvider.validate(account({ profile: 'two words' })).length, 1);
    assert.equal(yandexCliProvider.validate(account({ folderId: 'b1g' })).length, 1);
    assert.equal(yandexCliProvider.validate(account({ profile: 42 })).length, 1);
  });

  it('describes the account', () => {
    assert.equal(yandexCliProvider.describe(account()), `yc: ${SA} (active profile)`);
    assert.equal(yandexCliProvider.describe(account({ profile: 'ci' })), `yc: ${SA} (profile ci)`);
  });

  describe('ycProfiles', () => {
    it('lists the profiles and marks the active one', async () => {
      assert.deepEqual(await ycProfiles(ctx, fake.path), [
        { name: 'ci', active: false },
        { name: 'default', active: true },
        { name: 'empty', active: false },
        { name: 'stale', active: false },
      ]);
      assert.deepEqual((await fake.calls()).at(-1), ['config', 'profile', 'list']);
    });

    it('answers an empty list when there are none', async () => {
      await fake.update({ profiles: {}, activeProfile: null });
      assert.deepEqual(await ycProfiles(ctx, fake.path), []);
    });

    it('answers undefined when yc is missing', async () => {
      assert.equal(await ycProfiles(ctx, join(fake.statePath, '..', 'none')), undefined);
    });
  });

  describe('ycListServiceAccounts', () => {
    const INVOKER = {
      id: SA,
      name: 'invoker',
      folderId: FOLDER,
      description: 'Calls the function',
    };
    const DEPLOYER = { id: SA2, name: 'deployer', folderId: FOLDER };

    it("lists the profile folder's service accounts from yc's snake_case JSON", async () => {
      assert.deepEqual(await ycListServiceAccounts(ctx, fake.path, {}), [DEPLOYER, INVOKER]);
      assert.deepEqual((await fake.calls()).at(-1), [
        'iam',
        'service-account',
        'list',
        '--format=json',
      ]);
    });

    it('accepts camelCase keys, and passes the folder and the profile', async () => {
      await fake.update({ listKeyCase: 'camel' });
      assert.deepEqual(
        await ycListServiceAccounts(ctx, fake.path, { folderId: FOLDER, profile: 'ci' }),
        [DEPLOYER, INVOKER],
      );
      assert.deepEqual((await fake.calls()).at(-1), [
        'iam',
        'service-account',
        'list',
        '--profile=ci',
        `--folder-id=${FOLDER}`,
        '--format=json',
      ]);
    });

    it('explains a denied listing', async () => {
      await rejectsWith(
        ycListServiceAccounts(ctx, fake.path, { folderId: 'b1gsecret00000000001' }),
        'permission-denied',
        /PermissionDenied/,
        /viewer or iam\.serviceAccounts\.user on the folder/,
      );
    });

    it('asks for a sign-in, then for a folder, when the profile lacks them', async () => {
      await rejectsWith(
        ycListServiceAccounts(ctx, fake.path, { profile: 'empty' }),
        'bad-credentials',
        /yc init --profile empty/,
      );
      await fake.update({
        profiles: { ...SETUP.profiles, nofolder: { hasToken: true } },
      });
      await rejectsWith(
        ycListServiceAccounts(ctx, fake.path, { profile: 'nofolder' }),
        'bad-config',
        /yc config set folder-id FOLDER_ID/,
      );
    });

    it('refuses options that are not ids or profile names', async () => {
      const before = (await fake.calls()).length;
      await rejectsWith(ycListServiceAccounts(ctx, fake.path, { folderId: '--all' }), 'bad-config');
      await rejectsWith(ycListServiceAccounts(ctx, fake.path, { profile: '-p' }), 'bad-config');
      assert.equal((await fake.calls()).length, before);
    });
  });
});

describe('fake yc', () => {
  let fake: FakeYc;
  before(async () => {
    fake = await makeFakeYc(SETUP);
  });
  after(() => fake.cleanup());

  const run = (...args: string[]) => nodeProcessRunner.run(fake.path, args, { timeoutMs: 10_000 });

  it('prints the bare JWT and a newline, with flags given either way', async () => {
    const result = await run('iam', 'create-id-token', '--subject-id', SA, '--audience', 'aud-1');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    assert.equal(result.stderr, '');
    assert.equal(decodeJwt(result.stdout.trim()).aud, 'aud-1');
  });

  it('prints profiles like yc config profile list', async () => {
    const result = await run('config', 'profile', 'list');
    assert.equal(result.stdout, 'ci\ndefault ACTIVE\nempty\nstale\n');
  });

  it('prints a table without --format json', async () => {
    const result = await run('iam', 'service-account', 'list');
    assert.match(result.stdout, /\| +ID +\| +NAME +\| LABELS \| +CREATED AT +\|/);
    assert.match(
      result.stdout,
      new RegExp(`\\| ${SA} \\| invoker +\\| +\\| 2024-09-08 18:59:45 \\|`),
    );
  });

  it('rejects unknown flags with exit code 1', async () => {
    const result = await run('iam', 'create-id-token', '--bogus');
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr, 'ERROR: unknown flag: --bogus\n');
  });
});
