import * as assert from 'node:assert/strict';
import { remediesFor } from '../../../../../src/core/remedies';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { detectIssuerFamily } from '../../../../../src/core/jwt/claims';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import {
  azureAccessTokenProvider,
  expiryOf,
} from '../../../../../src/core/providers/azure/accessToken';
import { azureAccessTokenDescriptor } from '../../../../../src/core/providers/azure/accessTokenDescriptor';
import type { Account } from '../../../../../src/core/providers/provider';
import { tokenNoun } from '../../../../../src/core/providers/registry';
import { makeFakeAz } from '../../../../emulators/azure/fakeAz';
import type { FakeAz } from '../../../../emulators/azure/fakeAz';
import { ManagedIdentityServer } from '../../../../emulators/azure/managedIdentityServer';
import { detected, envContext } from '../../../helpers/jobContext';
import { rejectsWith } from '../../../helpers/assertions';
import { closedPort } from '../../../helpers/fixtures';

const APP = 'api://contoso-orders';
const USER_ASSIGNED = '11111111-2222-4333-8444-555555555555';

const context = envContext;
const account = (settings: Record<string, unknown>): Account => ({
  id: 'az',
  kind: 'azure-access-token',
  settings,
});

describe('Azure access tokens', () => {
  let az: FakeAz;
  let identity: ManagedIdentityServer;
  before(async function () {
    this.timeout(30_000);
    az = await makeFakeAz({ loggedIn: true, resources: [APP, 'https://management.azure.com/'] });
    identity = await ManagedIdentityServer.start([
      {
        clientId: '99999999-0000-4000-8000-000000000000',
        objectId: 'oid-system',
        systemAssigned: true,
      },
      { clientId: USER_ASSIGNED, objectId: 'oid-user' },
    ]);
  });
  after(async () => {
    await Promise.all([az.cleanup(), identity.stop()]);
  });
  beforeEach(() => {
    identity.requests.length = 0;
  });

  it('is labelled an access token, not an ID token', () => {
    assert.equal(tokenNoun('azure-access-token'), 'access token');
    assert.equal(tokenNoun('github-actions'), 'ID token');
    assert.match(azureAccessTokenProvider.label, /access token/);
    assert.equal(azureAccessTokenDescriptor.audienceOptional, false);
  });

  describe('through az account get-access-token', () => {
    it('runs az with the resource and takes accessToken and its expiry; Entra explains the claims', async () => {
      const minted = await azureAccessTokenProvider.mint(
        account({ method: 'az', tenant: az.tenant }),
        { audience: APP },
        context({}, { azPath: az.path }),
      );
      assert.deepEqual((await az.calls()).at(-1), [
        'account',
        'get-access-token',
        '--resource',
        APP,
        '--output',
        'json',
        '--tenant',
        az.tenant,
      ]);
      const { payload } = await jwtVerify(minted.token, createLocalJWKSet(az.jwks), {
        audience: APP,
      });
      assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
      const inspection = inspectToken(minted.token);
      assert.equal(detectIssuerFamily(inspection.payload ?? {}), 'entra');
      assert.equal(inspection.claimRows.find((r) => r.name === 'tid')?.source, 'entra');
    });

    it('says to run az login, and explains an unknown resource in Entra terms', async () => {
      await az.update({ loggedIn: false });
      try {
        const loggedOut = await rejectsWith(
          azureAccessTokenProvider.mint(
            account({ method: 'az' }),
            { audience: APP },
            context({}, { azPath: az.path }),
          ),
          'no-credentials',
          /Please run 'az login'/,
          /Run "az login"/,
        );
        // The sign-in the CLI asked for, to copy (it opens a browser: the user runs it).
        assert.deepEqual(remediesFor(loggedOut), [
          { kind: 'copyCommand', command: 'az login', label: 'Copy Sign-in Command' },
        ]);
      } finally {
        await az.update({ loggedIn: true });
      }
      const typo = await rejectsWith(
        azureAccessTokenProvider.mint(
          account({ method: 'az' }),
          { audience: 'api://typo' },
          context({}, { azPath: az.path }),
        ),
        'cli-failed',
        /AADSTS500011/,
        /Application ID URI \(api:\/\/…\) or its client id/,
      );
      // The audience asked for is wrong: no button fixes that.
      assert.deepEqual(remediesFor(typo), []);
      const missing = await rejectsWith(
        azureAccessTokenProvider.mint(
          account({ method: 'az' }),
          { audience: APP },
          context({}, { azPath: '/nonexistent/az' }),
        ),
        'cli-not-found',
        /tokenExplorer\.az\.path/,
      );
      assert.deepEqual(missing.remedies, [
        { kind: 'pickExecutable', tool: 'az', setting: 'tokenExplorer.az.path' },
        { kind: 'openSetting', key: 'tokenExplorer.az.path' },
        {
          kind: 'openUrl',
          url: 'https://learn.microsoft.com/cli/azure/install-azure-cli',
          label: 'Install Guide',
        },
      ]);
    });

    it('reads every expiry form az and the identity endpoints print', () => {
      assert.equal(expiryOf('not-a-jwt', { expires_on: 1700000000 }), 1_700_000_000_000);
      assert.equal(expiryOf('not-a-jwt', { expires_on: '1700000000' }), 1_700_000_000_000);
      assert.equal(
        expiryOf('not-a-jwt', { expiresOn: '2026-12-01 04:00:00.000000' }),
        new Date(2026, 11, 1, 4, 0, 0).getTime(),
        'az before 2.54 prints local time',
      );
      assert.equal(expiryOf('not-a-jwt', { expiresOn: 'soon' }), undefined);
    });
  });

  describe('through the managed identity', () => {
    it('asks IMDS with Metadata: true, api-version 2018-02-01 and the resource', async () => {
      const minted = await azureAccessTokenProvider.mint(
        account({ method: 'managed-identity' }),
        { audience: APP },
        context(identity.imdsEnv()),
      );
      assert.deepEqual(identity.requests, [
        {
          path: '/metadata/identity/oauth2/token',
          query: { 'api-version': '2018-02-01', resource: APP },
          metadata: 'true',
          identityHeader: undefined,
        },
      ]);
      const { payload } = await jwtVerify(minted.token, createLocalJWKSet(identity.jwks()), {
        audience: APP,
      });
      assert.equal(payload.oid, 'oid-system');
    });

    it('picks a user-assigned identity by client_id, and explains an unknown one', async () => {
      const minted = await azureAccessTokenProvider.mint(
        account({ method: 'managed-identity', clientId: USER_ASSIGNED }),
        { audience: APP },
        context(identity.imdsEnv()),
      );
      assert.equal(identity.requests[0]?.query.client_id, USER_ASSIGNED);
      assert.equal(inspectToken(minted.token).payload?.appid, USER_ASSIGNED);
      await rejectsWith(
        azureAccessTokenProvider.mint(
          account({ method: 'managed-identity', clientId: '00000000-0000-4000-8000-000000000000' }),
          { audience: APP },
          context(identity.imdsEnv()),
        ),
        'permission-denied',
        /HTTP 400: "Identity not found"/,
        /No managed identity with client id 00000000/,
      );
    });

    it('uses App Service / Functions when IDENTITY_ENDPOINT and IDENTITY_HEADER are set', async () => {
      const minted = await azureAccessTokenProvider.mint(
        account({ method: 'managed-identity' }),
        { audience: APP },
        context({ ...identity.imdsEnv(), ...identity.appServiceEnv() }),
      );
      assert.deepEqual(identity.requests, [
        {
          path: '/msi/token',
          query: { 'api-version': '2019-08-01', resource: APP },
          metadata: undefined,
          identityHeader: identity.identityHeader,
        },
      ]);
      await jwtVerify(minted.token, createLocalJWKSet(identity.jwks()), { audience: APP });
      await rejectsWith(
        azureAccessTokenProvider.mint(
          account({ method: 'managed-identity' }),
          { audience: APP },
          context({ ...identity.appServiceEnv(), IDENTITY_HEADER: 'stale' }),
        ),
        'http-status',
        /App Service identity endpoint .* answered HTTP 401/,
      );
      const found = await detected(azureAccessTokenDescriptor, context(identity.appServiceEnv()));
      assert.equal(found[0]?.draft.settings.method, 'managed-identity');
      assert.deepEqual(await detected(azureAccessTokenDescriptor, context({})), []);
    });

    it('says where managed identities exist when no endpoint answers', async () => {
      const port = await closedPort();
      await rejectsWith(
        azureAccessTokenProvider.mint(
          account({ method: 'managed-identity' }),
          { audience: APP },
          context({ AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${port}` }),
        ),
        'network',
        /instance metadata service/,
        /use the "az" method instead/,
      );
    });
  });

  it('asks for a resource and validates the settings', async () => {
    await rejectsWith(
      azureAccessTokenProvider.mint(account({ method: 'az' }), { audience: ' ' }, context({})),
      'bad-config',
      /for one resource: give the app's Application ID URI/,
    );
    assert.deepEqual(azureAccessTokenProvider.validate(account({})), [
      'Set "method": "az" (the Azure CLI) or "managed-identity" (IMDS or App Service).',
    ]);
    assert.equal(
      azureAccessTokenProvider.validate(account({ method: 'az', clientId: 'x' })).length,
      1,
    );
    assert.equal(
      azureAccessTokenProvider.validate(account({ method: 'managed-identity', tenant: 't' }))
        .length,
      1,
    );
  });
});
