import * as assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as vscode from 'vscode';
import { makeFakeGcloud } from '../emulators/gcloud/fakeGcloud';
import type { FakeGcloud } from '../emulators/gcloud/fakeGcloud';
import { MetadataServer } from '../emulators/google/metadataServer';
import { waitFor } from '../helpers/poll';
import { tokenExplorer } from './helpers/api';

const SA = 'invoker@demo-project.iam.gserviceaccount.com';
const USER = 'dev@example.com';

describe('Accounts and Get ID token', () => {
  let metadata: MetadataServer;
  let gcloud: FakeGcloud;
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');

  before(async () => {
    metadata = await MetadataServer.start({
      serviceAccounts: [
        { email: 'runtime@demo-project.iam.gserviceaccount.com', uniqueId: '1001' },
      ],
    });
    gcloud = await makeFakeGcloud({
      activeAccount: USER,
      accounts: [{ email: USER, type: 'user', uniqueId: '2002' }],
      project: 'demo-project',
      serviceAccounts: [{ email: SA, uniqueId: '3003', impersonators: [USER] }],
    });
    await config().update('gcloud.path', gcloud.path, vscode.ConfigurationTarget.Global);
    await config().update(
      'accounts',
      [
        {
          id: 'runtime',
          kind: 'google-metadata',
          name: 'Runtime SA',
          settings: { endpoint: metadata.url },
        },
        {
          id: 'invoker',
          kind: 'google-gcloud',
          defaultAudience: 'https://invoker.example',
          settings: { impersonateServiceAccount: SA, includeEmail: true },
        },
        {
          id: 'denied',
          kind: 'google-gcloud',
          settings: { impersonateServiceAccount: 'other@demo-project.iam.gserviceaccount.com' },
        },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await config().update('gcloud.path', undefined, vscode.ConfigurationTarget.Global);
    await metadata.stop();
    await gcloud.cleanup();
  });

  it('mints from the metadata server, verifiable, and serves the cached token the second time', async () => {
    const audience = 'https://svc-abc123-uc.a.run.app';
    const token = await vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
      account: 'runtime',
      audience,
    });
    const { payload } = await jwtVerify(token, createLocalJWKSet(metadata.jwks()), {
      issuer: 'https://accounts.google.com',
      audience,
    });
    assert.equal(payload.email, 'runtime@demo-project.iam.gserviceaccount.com');
    const before = metadata.requestCount;
    const again = await vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
      account: 'Runtime SA',
      audience,
    });
    assert.equal(again, token);
    assert.equal(metadata.requestCount, before, 'a cached token needs no request');
  });

  it('mints through gcloud impersonation with the default audience', async () => {
    const token = await vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
      account: 'invoker',
    });
    const { payload } = await jwtVerify(token, createLocalJWKSet(gcloud.jwks), {
      audience: 'https://invoker.example',
    });
    assert.equal(payload.email, SA);
    const calls = await gcloud.calls();
    const run = calls.find((args) => args.includes('print-identity-token'));
    assert.ok(run?.includes('--audiences=https://invoker.example'));
    assert.ok(run?.includes(`--impersonate-service-account=${SA}`));
  });

  it('explains a denied impersonation with the role to grant', async () => {
    await assert.rejects(
      async () =>
        vscode.commands.executeCommand('tokenExplorer.getIdToken', {
          account: 'denied',
          audience: 'https://x.example',
        }),
      /--role=roles\/iam\.serviceAccountTokenCreator/,
    );
  });

  it('rejects an unknown account by name, listing the known ones', async () => {
    await assert.rejects(
      async () =>
        vscode.commands.executeCommand('tokenExplorer.getIdToken', {
          account: 'nope',
          audience: 'a',
        }),
      /No account "nope".*runtime, invoker, denied/,
    );
  });

  it('inspects the latest token from the status bar command', async () => {
    const api = await tokenExplorer();
    const token = await vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
      account: 'invoker',
    });
    await vscode.commands.executeCommand('tokenExplorer.inspectLatest');
    await waitFor(
      'the latest token in the inspector',
      () => api.inspector.lastRendered()?.token === token,
    );
    assert.equal(api.inspector.state()?.inspection.payload?.email, SA);
  });
});
