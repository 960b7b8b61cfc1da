import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorCode } from '../../../../../src/core/errors';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import {
  impersonationProvider,
  readImpersonationSettings,
} from '../../../../../src/core/providers/google/impersonation';
import { GoogleApis } from '../../../../emulators/google/googleApis';
import { testContext } from '../../../../helpers/context';
import type {
  EmulatedServiceAccount,
  EmulatedUser,
  GoogleFault,
} from '../../../../emulators/google/googleApis';
import { MetadataServer } from '../../../../emulators/google/metadataServer';
import { rejectsWith, verifyGoogleIdToken } from '../../../helpers/assertions';
import { remediesFor } from '../../../../../src/core/remedies';
import { useTempDir, userAdcContext } from '../../../helpers/fixtures';

const AUDIENCE = 'https://hello-abc123-ew.a.run.app';

describe('google-impersonation provider', () => {
  let apis: GoogleApis;
  const tmp = useTempDir('imp-');
  let user: EmulatedUser;
  let target: EmulatedServiceAccount;
  let delegate: EmulatedServiceAccount;
  let context: ProviderContext;

  const account = (settings: Record<string, unknown> = {}): Account => ({
    id: 'imp',
    kind: 'google-impersonation',
    settings: {
      targetServiceAccount: target.email,
      iamCredentialsEndpoint: apis.url,
      ...settings,
    },
  });

  const verify = (token: string, audience = AUDIENCE) =>
    verifyGoogleIdToken(token, apis.jwks(), audience, ['RS256']);

  before(async () => {
    apis = await GoogleApis.start();
    target = await apis.addServiceAccount({ email: 'invoker@proj.iam.gserviceaccount.com' });
    delegate = await apis.addServiceAccount({ email: 'hop@proj.iam.gserviceaccount.com' });
  });
  after(() => apis.stop());
  beforeEach(async () => {
    apis.clearFaults();
    user = apis.addUser({ email: `dev${Math.random().toString(36).slice(2)}@example.com` });
    context = await userAdcContext(tmp.path, user, 500);
    apis.requests.length = 0;
  });

  it("takes tokenExplorer.google.endpoints' iamcredentials when the account names none; the account's own wins", async () => {
    apis.allow(user.email, target.email);
    const { iamCredentialsEndpoint: _own, ...settings } = account().settings;
    const bare: Account = { ...account(), settings };
    const withSetting = { ...context, googleEndpoints: { iamcredentials: `${apis.url}/` } };
    await verify(
      (await impersonationProvider.mint(bare, { audience: AUDIENCE }, withSetting)).token,
    );
    assert.deepEqual(
      apis.requests.map((r) => r.route),
      ['token', 'generateIdToken'],
    );
    const elsewhere = { ...context, googleEndpoints: { iamcredentials: 'http://127.0.0.1:9' } };
    await verify(
      (await impersonationProvider.mint(account(), { audience: AUDIENCE }, elsewhere)).token,
    );
  });

  it('mints a verifiable ID token with the ADC user as caller', async () => {
    apis.allow(user.email, target.email);
    const minted = await impersonationProvider.mint(account(), { audience: AUDIENCE }, context);
    const { payload, protectedHeader } = await verify(minted.token);
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.email, target.email);
    assert.equal(payload.email_verified, true);
    assert.equal(payload.sub, target.uniqueId);
    assert.equal(payload.azp, target.uniqueId);
    assert.equal(payload.exp, (payload.iat ?? 0) + 3600);
    assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
    assert.deepEqual(
      apis.requests.map((r) => [r.route, r.grantType]),
      [
        ['token', 'refresh_token'],
        ['generateIdToken', undefined],
      ],
    );
  });

  it('reuses the cached ADC access token across mints', async () => {
    apis.allow(user.email, target.email);
    await impersonationProvider.mint(account(), { audience: AUDIENCE }, context);
    await impersonationProvider.mint(account(), { audience: 'https://other' }, context);
    assert.deepEqual(
      apis.requests.map((r) => r.route),
      ['token', 'generateIdToken', 'generateIdToken'],
    );
  });

  it('leaves out the email when includeEmail is false, and accepts a unique id', async () => {
    apis.allow(user.email, target.email);
    const minted = await impersonationProvider.mint(
      account({ includeEmail: false, targetServiceAccount: target.uniqueId }),
      { audience: AUDIENCE },
      context,
    );
    const { payload } = await verify(minted.token);
    assert.equal(payload.email, undefined);
    assert.equal(payload.sub, target.uniqueId);
  });

  it('goes through delegates', async () => {
    apis.allow(user.email, delegate.email);
    apis.allow(delegate.email, target.email);
    const minted = await impersonationProvider.mint(
      account({ delegates: [delegate.email] }),
      { audience: AUDIENCE },
      context,
    );
    assert.equal((await verify(minted.token)).payload.email, target.email);
  });

  describe('an ADC file that itself impersonates the target', () => {
    // Python impersonated_credentials.IDTokenCredentials.refresh and Node
    // Impersonated.fetchIdToken call generateIdToken with the source credentials.
    it("impersonated_service_account: the source user calls, through the file's delegates", async () => {
      apis.allow(user.email, delegate.email);
      apis.allow(delegate.email, target.email);
      const path = join(tmp.path, 'impersonated.json');
      await writeFile(
        path,
        JSON.stringify({
          type: 'impersonated_service_account',
          service_account_impersonation_url: apis.impersonationUrl(target.email),
          source_credentials: JSON.parse(user.adcJson),
          delegates: [delegate.email],
        }),
      );
      const minted = await impersonationProvider.mint(
        account({ credentialsFile: path }),
        { audience: AUDIENCE },
        context,
      );
      assert.equal((await verify(minted.token)).payload.email, target.email);
      assert.deepEqual(
        apis.requests.map((r) => [r.route, r.caller, r.fields?.delegates]),
        [
          ['token', undefined, undefined],
          ['generateIdToken', user.email, [`projects/-/serviceAccounts/${delegate.email}`]],
        ],
      );
    });

    it('external_account with service_account_impersonation_url: the STS token calls', async () => {
      const subject = join(tmp.path, 'subject.jwt');
      await writeFile(subject, 'subject-of-the-pipeline');
      const pool =
        '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q';
      apis.trustSubjectToken('subject-of-the-pipeline', {
        audience: pool,
        principal: 'principal://pipeline',
      });
      apis.allow('principal://pipeline', target.email);
      const path = join(tmp.path, 'wif.json');
      await writeFile(
        path,
        JSON.stringify({
          type: 'external_account',
          audience: pool,
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          token_url: apis.stsUrl,
          credential_source: { file: subject },
          service_account_impersonation_url: apis.impersonationUrl(target.email),
        }),
      );
      const minted = await impersonationProvider.mint(
        account({ credentialsFile: path }),
        { audience: AUDIENCE },
        context,
      );
      assert.equal((await verify(minted.token)).payload.email, target.email);
      assert.deepEqual(
        apis.requests.map((r) => [r.route, r.caller]),
        [
          ['sts', undefined],
          ['generateIdToken', 'principal://pipeline'],
        ],
      );
    });

    it("another target is still called as the file's service account", async () => {
      apis.allow(user.email, delegate.email);
      apis.allow(delegate.email, target.email);
      const path = join(tmp.path, 'hop.json');
      await writeFile(
        path,
        JSON.stringify({
          type: 'impersonated_service_account',
          service_account_impersonation_url: apis.impersonationUrl(delegate.email),
          source_credentials: JSON.parse(user.adcJson),
        }),
      );
      await impersonationProvider.mint(
        account({ credentialsFile: path }),
        { audience: AUDIENCE },
        context,
      );
      assert.deepEqual(
        apis.requests.map((r) => [r.route, r.caller]),
        [
          ['token', undefined],
          ['generateAccessToken', user.email],
          ['generateIdToken', delegate.email],
        ],
      );
    });
  });

  describe('external_account_authorized_user (workforce identity federation login)', () => {
    it('refreshes at token_url with Basic client auth, then calls generateIdToken', async () => {
      const worker = apis.addWorkforceUser({ pool: 'corp', subject: 'ada@corp.example' });
      apis.allow(worker.principal, target.email);
      const path = join(tmp.path, 'workforce.json');
      await writeFile(path, worker.adcJson);
      const minted = await impersonationProvider.mint(
        account({ credentialsFile: path }),
        { audience: AUDIENCE },
        context,
      );
      assert.equal((await verify(minted.token)).payload.email, target.email);
      assert.deepEqual(
        apis.requests.map((r) => [r.route, r.basicClient, r.caller, r.fields]),
        [
          [
            'stsOauthToken',
            worker.clientId,
            undefined,
            { grant_type: 'refresh_token', refresh_token: '<secret>' },
          ],
          [
            'generateIdToken',
            undefined,
            worker.principal,
            { audience: AUDIENCE, includeEmail: true, delegates: [] },
          ],
        ],
      );
    });

    it('uses the refresh token the server rotated to', async () => {
      const worker = apis.addWorkforceUser({ pool: 'corp', subject: 'rotating@corp.example' });
      worker.rotate = true;
      apis.allow(worker.principal, target.email);
      const path = join(tmp.path, 'rotating.json');
      await writeFile(path, worker.adcJson);
      await impersonationProvider.mint(
        account({ credentialsFile: path }),
        { audience: AUDIENCE },
        context,
      );
      apis.revokeAccessTokens();
      const minted = await impersonationProvider.mint(
        account({ credentialsFile: path }),
        { audience: 'https://second' },
        context,
      );
      assert.equal((await verify(minted.token, 'https://second')).payload.email, target.email);
    });

    it('an expired login says how to sign in again', async () => {
      const worker = apis.addWorkforceUser({ pool: 'corp', subject: 'gone@corp.example' });
      const path = join(tmp.path, 'expired.json');
      await writeFile(path, worker.adcJson);
      worker.refreshToken = 'expired';
      await rejectsWith(
        impersonationProvider.mint(
          account({ credentialsFile: path }),
          { audience: AUDIENCE },
          context,
        ),
        'bad-credentials',
        /refused the workforce identity login/,
        /invalid_grant/,
        /--login-config/,
      );
    });
  });

  describe('quota_project_id as x-goog-user-project, where google-auth-library sends it', () => {
    const withQuota = (json: string, project: string) =>
      JSON.stringify({ ...(JSON.parse(json) as object), quota_project_id: project });

    it('on IAM Credentials calls made with the user, never on the token endpoint', async () => {
      apis.allow(user.email, target.email);
      const path = join(tmp.path, 'quota.json');
      await writeFile(path, withQuota(user.adcJson, 'billing-proj'));
      await impersonationProvider.mint(
        account({ credentialsFile: path }),
        { audience: AUDIENCE },
        context,
      );
      assert.deepEqual(
        apis.requests.map((r) => [r.route, r.userProject]),
        [
          ['token', undefined],
          ['generateIdToken', 'billing-proj'],
        ],
      );
    });

    it('GOOGLE_CLOUD_QUOTA_PROJECT overrides the file for the outermost credentials', async () => {
      apis.allow(user.email, target.email);
      const path = join(tmp.path, 'quota.json');
      await writeFile(path, withQuota(user.adcJson, 'billing-proj'));
      const overridden = testContext({
        env: { GOOGLE_APPLICATION_CREDENTIALS: path, GOOGLE_CLOUD_QUOTA_PROJECT: 'env-proj' },
      });
      await impersonationProvider.mint(account(), { audience: AUDIENCE }, overridden);
      assert.deepEqual(
        apis.requests.map((r) => r.userProject),
        [undefined, 'env-proj'],
      );
    });

    it("an impersonated file's source sends its own quota project", async () => {
      apis.allow(user.email, delegate.email);
      apis.allow(delegate.email, target.email);
      const path = join(tmp.path, 'imp-quota.json');
      await writeFile(
        path,
        JSON.stringify({
          type: 'impersonated_service_account',
          service_account_impersonation_url: apis.impersonationUrl(delegate.email),
          source_credentials: JSON.parse(withQuota(user.adcJson, 'source-proj')),
          quota_project_id: 'outer-proj',
        }),
      );
      await impersonationProvider.mint(
        account({ credentialsFile: path }),
        { audience: AUDIENCE },
        context,
      );
      assert.deepEqual(
        apis.requests.map((r) => [r.route, r.userProject]),
        [
          ['token', undefined],
          ['generateAccessToken', 'source-proj'],
          ['generateIdToken', 'outer-proj'],
        ],
      );
    });
  });

  it('403 names the role, the caller and the target', async () => {
    const denied = await rejectsWith(
      impersonationProvider.mint(account(), { audience: AUDIENCE }, context),
      'permission-denied',
      new RegExp(`${user.email.replace('.', '\\.')} may not mint ID tokens for ${target.email}`),
      /roles\/iam\.serviceAccountOpenIdTokenCreator/,
      /roles\/iam\.serviceAccountTokenCreator/,
      new RegExp(`--member=user:${user.email.replace('.', '\\.')}`),
      /iam\.serviceAccounts\.getOpenIdToken/,
    );
    // The fix is the grant the message quotes, offered to copy (never run).
    const grant = `gcloud iam service-accounts add-iam-policy-binding ${target.email} --member=user:${user.email} --role=roles/iam.serviceAccountOpenIdTokenCreator`;
    assert.ok(denied.message.includes(grant), denied.message);
    assert.deepEqual(remediesFor(denied), [
      { kind: 'copyCommand', command: grant, label: 'Copy Grant Command' },
    ]);
  });

  it('403 through delegates explains the chain', async () => {
    const hop = await apis.addServiceAccount({ email: 'hop2@proj.iam.gserviceaccount.com' });
    apis.allow(user.email, hop.email);
    await rejectsWith(
      impersonationProvider.mint(
        account({ delegates: [hop.email] }),
        { audience: AUDIENCE },
        context,
      ),
      'permission-denied',
      /each account in the chain needs the role on the next/,
    );
  });

  it('404 says the service account does not exist', async () => {
    await rejectsWith(
      impersonationProvider.mint(
        account({ targetServiceAccount: 'ghost@proj.iam.gserviceaccount.com' }),
        { audience: AUDIENCE },
        context,
      ),
      'bad-config',
      /ghost@proj\.iam\.gserviceaccount\.com does not exist/,
    );
  });

  it('401 retries once with a fresh token, then says to log in again', async () => {
    apis.allow(user.email, target.email);
    await impersonationProvider.mint(account(), { audience: AUDIENCE }, context);
    apis.revokeAccessTokens();
    await impersonationProvider.mint(account(), { audience: AUDIENCE }, context);
    apis.requests.length = 0;
    apis.revokeAccessTokens();
    apis.setFault('generateIdToken', undefined);
    const fetchToken = context.fetch;
    const revoking: ProviderContext = {
      ...context,
      fetch: async (input, init) => {
        const response = await fetchToken(input, init);
        apis.revokeAccessTokens();
        return response;
      },
    };
    await rejectsWith(
      impersonationProvider.mint(account(), { audience: AUDIENCE }, revoking),
      'bad-credentials',
      /HTTP 401/,
      /gcloud auth application-default login/,
    );
    // A new context has its own token source: token, 401, fresh token, 401 again.
    assert.deepEqual(
      apis.requests.map((r) => r.route),
      ['token', 'generateIdToken', 'token', 'generateIdToken'],
    );
  });

  it('explains the search order when there are no credentials at all', async () => {
    await rejectsWith(
      impersonationProvider.mint(
        account(),
        { audience: AUDIENCE },
        testContext({ homeDir: tmp.path }),
      ),
      'no-credentials',
      /GOOGLE_APPLICATION_CREDENTIALS/,
      /metadata server/,
      /gcloud auth application-default login/,
    );
  });

  it('uses an explicit credentialsFile (a service-account key)', async () => {
    const caller = await apis.addServiceAccount({ email: 'caller@proj.iam.gserviceaccount.com' });
    apis.allow(caller.email, target.email);
    const path = join(tmp.path, 'key.json');
    await writeFile(path, caller.keyFile);
    const minted = await impersonationProvider.mint(
      account({ credentialsFile: path }),
      { audience: AUDIENCE },
      context,
    );
    assert.equal((await verify(minted.token)).payload.email, target.email);
    apis.requests.length = 0;
    const other = await apis.addServiceAccount({ email: 'nobody@proj.iam.gserviceaccount.com' });
    await writeFile(path, other.keyFile);
    await rejectsWith(
      impersonationProvider.mint(
        account({ credentialsFile: path }),
        { audience: AUDIENCE },
        context,
      ),
      'permission-denied',
      /--member=serviceAccount:nobody@proj\.iam\.gserviceaccount\.com/,
    );
  });

  it('falls back to the metadata server', async () => {
    const metadata = await MetadataServer.start();
    try {
      const runner = 'runner@emulated-project.iam.gserviceaccount.com';
      apis.acceptAccessToken(metadata.accessToken, runner);
      apis.allow(runner, target.email);
      const minted = await impersonationProvider.mint(
        account(),
        { audience: AUDIENCE },
        testContext({ homeDir: tmp.path, env: { GCE_METADATA_HOST: metadata.host } }),
      );
      assert.equal((await verify(minted.token)).payload.email, target.email);
    } finally {
      await metadata.stop();
    }
  });

  const faults: [GoogleFault, ErrorCode, RegExp][] = [
    ['http-500', 'http-status', /HTTP 500/],
    ['429', 'http-status', /wait 7 s/],
    ['hang', 'timeout', /generateIdToken did not answer within 0\.5 s/],
    ['reset', 'network', /connection was reset|Could not reach/],
    ['malformed-json', 'bad-response', /did not answer with JSON/],
    ['wrong-content-type', 'bad-response', /text\/html/],
    ['403', 'permission-denied', /roles\/iam\.serviceAccountOpenIdTokenCreator/],
  ];
  for (const [fault, code, pattern] of faults) {
    it(`generateIdToken fault ${fault} → ${code}`, async () => {
      apis.allow(user.email, target.email);
      apis.setFault('generateIdToken', fault);
      const started = Date.now();
      const error = await rejectsWith(
        impersonationProvider.mint(account(), { audience: AUDIENCE }, context),
        code,
        pattern,
      );
      assert.ok(Date.now() - started < 3000);
      assert.ok(!/ya29\./.test(error.message));
    });
  }

  it('stops when the request is cancelled', async () => {
    apis.allow(user.email, target.email);
    apis.setFault('generateIdToken', 'hang');
    const controller = new AbortController();
    const pending = impersonationProvider.mint(
      account(),
      { audience: AUDIENCE, signal: controller.signal },
      testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: join(tmp.path, 'adc.json') } }),
    );
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, 'cancelled');
  });

  it('validates and describes settings', () => {
    assert.deepEqual(impersonationProvider.validate(account()), []);
    assert.equal(impersonationProvider.validate(account({ targetServiceAccount: '' })).length, 1);
    assert.match(
      impersonationProvider.validate(account({ targetServiceAccount: 'not an email' }))[0] ?? '',
      /neither a service-account email/,
    );
    assert.equal(impersonationProvider.validate(account({ delegates: 'x' })).length, 1);
    assert.equal(impersonationProvider.validate(account({ includeEmail: 'yes' })).length, 1);
    assert.equal(
      impersonationProvider.validate(account({ iamCredentialsEndpoint: 'not a url' })).length,
      1,
    );
    assert.equal(impersonationProvider.describe(account()), `${target.email} (impersonated)`);
    assert.match(
      impersonationProvider.describe(account({ delegates: [delegate.email] })),
      /via 1 delegate\)/,
    );
    assert.throws(
      () => readImpersonationSettings(account({ targetServiceAccount: 3 })),
      /not set up right/,
    );
    assert.equal(readImpersonationSettings(account()).includeEmail, true);
  });
});
