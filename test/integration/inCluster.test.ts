import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as vscode from 'vscode';
import { KubeApiServer } from '../emulators/kubernetes/apiServer';
import { writePodMount } from '../emulators/kubernetes/podMount';
import { tokenExplorer } from './helpers/api';

const AUDIENCE = 'https://vault.example.com';
const POD_USER = 'system:serviceaccount:team-a:runner';
/** What the extension host reads to be "in a pod"; restored after the suite. */
const VARIABLES = [
  'KUBERNETES_SERVICE_HOST',
  'KUBERNETES_SERVICE_PORT',
  'TOKEN_EXPLORER_TEST_IN_CLUSTER_ROOT',
  'KUBECONFIG',
] as const;

describe('Kubernetes in a pod (in-cluster) in VS Code', () => {
  let api: KubeApiServer;
  let dir: string;
  const saved = new Map<string, string | undefined>();
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');

  before(async () => {
    api = await KubeApiServer.start();
    api.addServiceAccount('team-a', 'builder');
    api.allow(POD_USER, 'team-a');
    dir = await mkdtemp(join(tmpdir(), 'in-cluster-host-'));
    const root = join(dir, 'serviceaccount');
    const variables = await writePodMount(api, root, 'team-a', 'runner');
    for (const name of VARIABLES) saved.set(name, process.env[name]);
    // The extension host is this process: the provider reads these from its environment.
    Object.assign(process.env, variables, {
      TOKEN_EXPLORER_TEST_IN_CLUSTER_ROOT: root,
      KUBECONFIG: join(dir, 'no-kubeconfig'),
    });
    await config().update(
      'accounts',
      [
        {
          id: 'pod',
          kind: 'kubernetes',
          name: 'Pod builder',
          settings: { inCluster: true, namespace: 'team-a', serviceAccount: 'builder' },
        },
        // No "inCluster": with no kubeconfig, kubectl's order falls back to the pod.
        { id: 'implicit', kind: 'kubernetes', settings: { serviceAccount: 'builder' } },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const account of ['Pod builder', 'implicit']) {
    it(`Get ID Token for "${account}" mints through TokenRequest as the pod`, async () => {
      api.requests.length = 0;
      const token = await vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
        account,
        audience: AUDIENCE,
      });
      const { payload } = await jwtVerify(token, createLocalJWKSet(api.jwks()), {
        issuer: api.issuer,
        audience: AUDIENCE,
      });
      assert.equal(payload.sub, 'system:serviceaccount:team-a:builder');
      assert.deepEqual(
        api.requests.map((r) => [r.user, r.path]),
        [[POD_USER, '/api/v1/namespaces/team-a/serviceaccounts/builder/token']],
      );
    });
  }

  it('without the pod token, Get ID Token says why and what to do', async () => {
    const root = process.env.TOKEN_EXPLORER_TEST_IN_CLUSTER_ROOT ?? '';
    await writePodMount(api, root, 'team-a', 'runner', ['token']);
    try {
      await assert.rejects(
        async () =>
          vscode.commands.executeCommand('tokenExplorer.getIdToken', {
            account: 'Pod builder',
            audience: 'https://another.example.com',
          }),
        /runs in a Kubernetes pod .*no service-account token .*automountServiceAccountToken: true/s,
      );
    } finally {
      await writePodMount(api, root, 'team-a', 'runner');
    }
  });
});
