import * as assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as vscode from 'vscode';
import { makeFakeAz } from '../emulators/azure/fakeAz';
import type { FakeAz } from '../emulators/azure/fakeAz';
import { ManagedIdentityServer } from '../emulators/azure/managedIdentityServer';
import { tokenExplorer } from './helpers/api';

const APP = 'api://contoso-orders';
const USER_ASSIGNED = '11111111-2222-4333-8444-555555555555';

function getToken(account: string, audience: string): Thenable<string> {
  return vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', { account, audience });
}

describe('Azure access tokens in the extension host', () => {
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');
  const saved: Record<string, string | undefined> = {};
  let az: FakeAz;
  let identity: ManagedIdentityServer;

  before(async function () {
    this.timeout(60_000);
    az = await makeFakeAz({ loggedIn: true, resources: [APP] });
    identity = await ManagedIdentityServer.start([
      { clientId: USER_ASSIGNED, objectId: 'oid-user-assigned' },
    ]);
    // The extension host is this process: IMDS is found where the Azure SDKs look for it.
    for (const [name, value] of Object.entries(identity.imdsEnv())) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    await config().update('az.path', az.path, vscode.ConfigurationTarget.Global);
    await config().update(
      'accounts',
      [
        { id: 'azcli', kind: 'azure-access-token', settings: { method: 'az' } },
        {
          id: 'mi',
          kind: 'azure-access-token',
          settings: { method: 'managed-identity', clientId: USER_ASSIGNED },
        },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await config().update('az.path', undefined, vscode.ConfigurationTarget.Global);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await Promise.all([az.cleanup(), identity.stop()]);
  });

  it('gets an access token for the resource from the Azure CLI', async () => {
    const token = await getToken('azcli', APP);
    const { payload } = await jwtVerify(token, createLocalJWKSet(az.jwks), { audience: APP });
    assert.equal(payload.iss, `https://sts.windows.net/${az.tenant}/`);
    await assert.rejects(async () => getToken('azcli', 'api://unknown-app'), /AADSTS500011/);
  });

  it('gets one from the managed identity through IMDS with Metadata: true', async () => {
    const token = await getToken('mi', APP);
    const { payload } = await jwtVerify(token, createLocalJWKSet(identity.jwks()), {
      audience: APP,
    });
    assert.equal(payload.appid, USER_ASSIGNED);
    assert.equal(identity.requests.at(-1)?.metadata, 'true');
  });
});
