import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { userIdentityProvider } from '../../../../../src/core/providers/google/userIdentity';
import { ADC_SIGN_IN } from '../../../../../src/core/providers/google/credentials';
import { remediesFor } from '../../../../../src/core/remedies';
import { GoogleApis } from '../../../../emulators/google/googleApis';
import { testContext } from '../../../../helpers/context';
import type { EmulatedUser } from '../../../../emulators/google/googleApis';
import { rejectsWith } from '../../../helpers/assertions';
import { useTempDir, userAdcContext } from '../../../helpers/fixtures';

describe('google-user provider', () => {
  let apis: GoogleApis;
  const tmp = useTempDir('user-');
  let user: EmulatedUser;
  let context: ProviderContext;
  const account: Account = { id: 'me', kind: 'google-user', settings: {} };

  before(async () => {
    apis = await GoogleApis.start();
    user = apis.addUser({ email: 'grace@example.com' });
  });
  after(() => apis.stop());
  beforeEach(async () => {
    apis.clearFaults();
    context = await userAdcContext(tmp.path, user, 400);
  });

  it("mints the user's own ID token (aud = the OAuth client id), verified by discovery", async () => {
    const minted = await userIdentityProvider.mint(account, { audience: user.clientId }, context);
    const discovery = (await (
      await fetch(`${apis.url}/.well-known/openid-configuration`)
    ).json()) as { issuer: string; jwks_uri: string };
    assert.equal(discovery.issuer, 'https://accounts.google.com');
    const { payload } = await jwtVerify(
      minted.token,
      createRemoteJWKSet(new URL(discovery.jwks_uri)),
      {
        issuer: discovery.issuer,
        audience: user.clientId,
      },
    );
    assert.equal(payload.email, user.email);
    assert.equal(payload.sub, user.sub);
    assert.equal(payload.azp, user.clientId);
    assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
  });

  it('an empty audience means the client id', async () => {
    const minted = await userIdentityProvider.mint(account, { audience: '' }, context);
    assert.ok(minted.token.split('.').length === 3);
  });

  it('a custom audience is refused with the reason and the way out', async () => {
    const error = await rejectsWith(
      userIdentityProvider.mint(account, { audience: 'https://my-service.run.app' }, context),
      'user-account-audience',
      /only to service accounts/,
      new RegExp(user.clientId.replace(/\./g, '\\.')),
      /impersonation/,
      /roles\/run\.invoker/,
    );
    // Another method (impersonation) mints for that audience.
    assert.deepEqual(remediesFor(error), [{ kind: 'switchMethod' }]);
  });

  it('service-account ADC is not a user', async () => {
    const sa = await apis.addServiceAccount({ email: 'robot@proj.iam.gserviceaccount.com' });
    const path = join(tmp.path, 'key.json');
    await writeFile(path, sa.keyFile);
    const error = await rejectsWith(
      userIdentityProvider.mint(
        account,
        { audience: 'x' },
        testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: path } }),
      ),
      'bad-config',
      /service_account credentials, not a user's/,
    );
    assert.deepEqual(remediesFor(error), [{ kind: 'switchMethod' }, ADC_SIGN_IN]);
  });

  it('no ADC explains where it looked', async () => {
    const error = await rejectsWith(
      userIdentityProvider.mint(account, { audience: 'x' }, testContext({ homeDir: tmp.path })),
      'no-credentials',
      /GOOGLE_APPLICATION_CREDENTIALS/,
      /gcloud auth application-default login/,
    );
    assert.deepEqual(remediesFor(error), [ADC_SIGN_IN]);
  });

  it('a revoked login says to sign in again, without the refresh token', async () => {
    const other = apis.addUser({ email: 'linus@example.com' });
    const path = join(tmp.path, 'other.json');
    await writeFile(path, other.adcJson);
    const token = other.refreshToken;
    apis.revokeUser(other.email);
    const error = await rejectsWith(
      userIdentityProvider.mint(
        { ...account, settings: { credentialsFile: path } },
        { audience: other.clientId },
        context,
      ),
      'bad-credentials',
      /gcloud auth application-default login/,
    );
    assert.ok(!error.message.includes(token));
  });

  it('a hanging token endpoint times out', async () => {
    apis.setFault('token', 'hang');
    await rejectsWith(
      userIdentityProvider.mint(account, { audience: user.clientId }, context),
      'timeout',
      /0\.4 s/,
    );
  });

  it('validates and describes', () => {
    assert.deepEqual(userIdentityProvider.validate(account), []);
    assert.equal(
      userIdentityProvider.validate({ ...account, settings: { credentialsFile: 1 } }).length,
      1,
    );
    assert.match(userIdentityProvider.describe(account), /Application Default Credentials/);
  });
});
