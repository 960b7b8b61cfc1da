import * as assert from 'node:assert/strict';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as vscode from 'vscode';
import { PipelinesOidcServer } from '../emulators/azure/pipelinesOidcServer';
import { makeFakeBuildkiteAgent, makeFakeCircleci } from '../emulators/ci/fakeCiClis';
import type { FakeBuildkiteAgent, FakeCircleci } from '../emulators/ci/fakeCiClis';
import { waitFor } from '../helpers/poll';
import { tokenExplorer } from './helpers/api';

const CONNECTION = { id: '5e0a6c3f-1a2b-4c3d-8e9f-0a1b2c3d4e5f', name: 'prod-deploy' };

function getToken(account: string, audience?: string): Thenable<string> {
  return vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
    account,
    ...(audience !== undefined ? { audience } : {}),
  });
}

describe('CI job token sources in VS Code', () => {
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');
  const savedEnv: Record<string, string | undefined> = {};
  let buildkite: FakeBuildkiteAgent;
  let circle: FakeCircleci;
  let pipelines: PipelinesOidcServer;
  let bitbucketToken: string;

  const setEnv = (vars: Record<string, string>) => {
    for (const [name, value] of Object.entries(vars)) {
      if (!(name in savedEnv)) savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
  };

  before(async function () {
    this.timeout(60_000);
    buildkite = await makeFakeBuildkiteAgent({ agentAccessToken: 'bkua_host_test' });
    circle = await makeFakeCircleci();
    pipelines = await PipelinesOidcServer.start([CONNECTION]);
    bitbucketToken = await circle.jobToken('v1');
    // The extension host is this process: the providers read these as a job's environment.
    setEnv({
      BUILDKITE_JOB_ID: '0184990a-477b-4fa8-9968-496074483cee',
      BUILDKITE_AGENT_ACCESS_TOKEN: 'bkua_host_test',
      CIRCLECI: 'true',
      CIRCLE_OIDC_TOKEN_V2: await circle.jobToken('v2'),
      BITBUCKET_STEP_OIDC_TOKEN: bitbucketToken,
      ...pipelines.env(),
    });
    await config().update('buildkiteAgent.path', buildkite.path, vscode.ConfigurationTarget.Global);
    await config().update('circleci.path', circle.path, vscode.ConfigurationTarget.Global);
    await config().update(
      'accounts',
      [
        { id: 'bk', kind: 'buildkite-oidc', settings: { claims: ['organization_id'] } },
        { id: 'circle', kind: 'circleci-oidc', settings: {} },
        { id: 'bb', kind: 'bitbucket-pipelines', settings: {} },
        { id: 'ado', kind: 'azure-pipelines', settings: { serviceConnectionId: CONNECTION.id } },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    for (const key of ['buildkiteAgent.path', 'circleci.path']) {
      await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await Promise.all([buildkite.cleanup(), circle.cleanup(), pipelines.stop()]);
  });

  it('gets a Buildkite job token through buildkite-agent', async () => {
    const token = await getToken('bk', 'sts.amazonaws.com');
    const { payload } = await jwtVerify(token, createLocalJWKSet(buildkite.jwks), {
      issuer: 'https://agent.buildkite.com',
      audience: 'sts.amazonaws.com',
    });
    assert.equal(typeof payload.organization_id, 'string');
  });

  it("gets CircleCI's job token, and one for another audience through the CLI", async () => {
    assert.equal(await getToken('circle'), process.env.CIRCLE_OIDC_TOKEN_V2);
    const custom = await getToken('circle', 'https://vault.example.com');
    await jwtVerify(custom, createLocalJWKSet(circle.jwks), {
      audience: 'https://vault.example.com',
    });
  });

  it("reads the Bitbucket step's token and explains an audience the step did not declare", async () => {
    assert.equal(await getToken('bb'), bitbucketToken);
    await assert.rejects(async () => getToken('bb', 'https://other.example'), /oidc: audiences:/);
  });

  it('gets an Azure Pipelines service connection token; the inspector verifies it by discovery', async () => {
    const api = await tokenExplorer();
    const token = await getToken('ado');
    assert.equal(decodeJwt(token).sub, 'sc://acme/app/prod-deploy');
    await vscode.commands.executeCommand('tokenExplorer.inspectJwt', token);
    const state = await waitFor('the pipeline token verified', () => {
      const s = api.inspector.state();
      return s?.inspection.token === token && s.verification.status !== 'pending' ? s : undefined;
    });
    assert.equal(state.verification.status, 'verified', JSON.stringify(state.verification));
  });
});
