import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as vscode from 'vscode';
import { ActionsTokenServer } from '../emulators/github/actionsTokenServer';
import { KubeApiServer } from '../emulators/kubernetes/apiServer';
import { OidcIssuer } from '../emulators/oidcIssuer';
import { makeFakeYc } from '../emulators/yc/fakeYc';
import type { FakeYc } from '../emulators/yc/fakeYc';
import { waitFor } from '../helpers/poll';
import { tokenExplorer } from './helpers/api';

const SA_ID = 'aje0123456789abcdefg';

/** Get ID token without asking, as launch.json inputs and other extensions call it. */
function getToken(account: string, audience?: string): Thenable<string> {
  return vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
    account,
    ...(audience !== undefined ? { audience } : {}),
  });
}

describe('More token sources in VS Code', () => {
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');
  let dir: string;
  let yc: FakeYc;
  let kube: KubeApiServer;
  let actions: ActionsTokenServer;
  let gitlab: OidcIssuer;
  let gitlabToken: string;
  const savedEnv: Record<string, string | undefined> = {};

  before(async function () {
    this.timeout(60_000);
    dir = await mkdtemp(join(tmpdir(), 'te-sources-'));
    yc = await makeFakeYc({
      profiles: { default: { hasToken: true, folderId: 'b1g0123456789abcdefg' } },
      activeProfile: 'default',
      serviceAccounts: [
        {
          id: SA_ID,
          name: 'deployer',
          folderId: 'b1g0123456789abcdefg',
          createdAt: '2026-01-01T00:00:00Z',
          tokenCreators: ['default'],
        },
      ],
    });
    kube = await KubeApiServer.start();
    const kubeconfig = await kube.writeTokenUserKubeconfig(join(dir, 'kubeconfig.yaml'));
    actions = await ActionsTokenServer.start({ owner: 'octo-org', repo: 'svc' });
    // The extension host is this process: the GitHub provider reads these like a runner's job.
    for (const [name, value] of Object.entries(actions.env())) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    gitlab = await OidcIssuer.start();
    gitlabToken = await gitlab.sign({
      sub: 'project_path:group/app:ref_type:branch:ref:main',
      aud: 'https://vault.example.com',
      project_path: 'group/app',
      pipeline_id: '1001',
    });
    const tokenFile = join(dir, 'gitlab-token');
    await writeFile(tokenFile, `${gitlabToken}\n`);
    const script = join(dir, 'print-token.mjs');
    await writeFile(
      script,
      `process.stdout.write(JSON.stringify({ data: { token: process.argv[2] === ${JSON.stringify('https://custom.example')} ? ${JSON.stringify(gitlabToken)} : 'nope' } }));\n`,
    );
    await config().update('yc.path', yc.path, vscode.ConfigurationTarget.Global);
    await config().update('localIssuer.port', 0, vscode.ConfigurationTarget.Global);
    await config().update(
      'accounts',
      [
        { id: 'yandex', kind: 'yandex-cli', settings: { serviceAccountId: SA_ID } },
        {
          id: 'kube',
          kind: 'kubernetes',
          settings: { kubeconfig, serviceAccount: 'builder' },
        },
        { id: 'gha', kind: 'github-actions', settings: {} },
        { id: 'gitlab', kind: 'gitlab-ci', settings: { file: tokenFile } },
        {
          id: 'custom',
          kind: 'custom-command',
          settings: {
            command: [process.execPath, script, '{audience}'],
            output: 'json',
            jsonField: 'data.token',
          },
        },
        { id: 'local', kind: 'local-issuer', settings: { sub: 'integration-user' } },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    await vscode.commands.executeCommand('tokenExplorer.stopLocalIssuer');
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await config().update('yc.path', undefined, vscode.ConfigurationTarget.Global);
    await config().update('localIssuer.port', undefined, vscode.ConfigurationTarget.Global);
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await Promise.all([yc.cleanup(), kube.stop(), actions.stop(), gitlab.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('mints a Yandex Cloud ID token through yc, defaulting the audience to the account id', async () => {
    const token = await getToken('yandex');
    const { payload } = await jwtVerify(token, createLocalJWKSet(yc.jwks), { audience: SA_ID });
    assert.equal(payload.sub, SA_ID);
    const custom = await getToken('yandex', 'https://api.example');
    assert.equal(
      (await jwtVerify(custom, createLocalJWKSet(yc.jwks))).payload.aud,
      'https://api.example',
    );
  });

  it('mints a Kubernetes service-account token with the TokenRequest API over TLS', async () => {
    const token = await getToken('kube', 'https://vault.example.com');
    const { payload } = await jwtVerify(token, createLocalJWKSet(kube.jwks()), {
      audience: 'https://vault.example.com',
    });
    assert.equal(payload.sub, 'system:serviceaccount:apps:builder');
  });

  it('gets a GitHub Actions token from the job environment', async () => {
    const token = await getToken('gha', 'sts.amazonaws.com');
    const { payload } = await jwtVerify(token, createLocalJWKSet(actions.jwks()), {
      audience: 'sts.amazonaws.com',
    });
    assert.equal(payload.repository, 'octo-org/svc');
  });

  it("reads a GitLab CI job's token and explains an audience the pipeline did not declare", async () => {
    assert.equal(await getToken('gitlab'), gitlabToken);
    await assert.rejects(async () => getToken('gitlab', 'https://other.example'), /id_tokens/);
  });

  it('runs a custom command without a shell and takes the token from its JSON', async () => {
    assert.equal(await getToken('custom', 'https://custom.example'), gitlabToken);
  });

  it('starts the local issuer; its tokens verify in the inspector through discovery', async () => {
    const api = await tokenExplorer();
    await vscode.commands.executeCommand('tokenExplorer.startLocalIssuer');
    const token = await getToken('local', 'http://localhost:8080');
    await vscode.commands.executeCommand('tokenExplorer.inspectJwt', token);
    const state = await waitFor('the local token verified', () => {
      const s = api.inspector.state();
      return s?.inspection.token === token && s.verification.status !== 'pending' ? s : undefined;
    });
    assert.equal(state.verification.status, 'verified', JSON.stringify(state.verification));
    assert.equal(state.inspection.payload?.sub, 'integration-user');
    assert.match(String(state.inspection.issuer), /^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
