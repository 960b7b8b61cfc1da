import * as assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Logger } from '../../../../../src/core/ports';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { kubernetesDescriptor } from '../../../../../src/core/providers/kubernetes/kubernetesDescriptor';
import { kubernetesProvider } from '../../../../../src/core/providers/kubernetes/tokenRequest';
import { tokenFileDescriptor } from '../../../../../src/core/providers/tokenFile/tokenFileDescriptor';
import { remediesFor, remedyLabel } from '../../../../../src/core/remedies';
import type { DetectPorts } from '../../../../../src/core/wizard';
import { parseYaml } from '../../../../../src/core/yaml';
import { testContext } from '../../../../helpers/context';
import { KubeApiServer, writeKubeconfig } from '../../../../emulators/kubernetes/apiServer';
import { type PodMountFile, writePodMount } from '../../../../emulators/kubernetes/podMount';
import { rejectsWith } from '../../../helpers/assertions';
import { useTempDir } from '../../../helpers/fixtures';

const AUDIENCE = 'https://vault.example.com';
/** The pod runs as team-a/runner and mints for team-a/builder. */
const NS = 'team-a';
const POD_SA = 'runner';
const SA = 'builder';
const POD_USER = `system:serviceaccount:${NS}:${POD_SA}`;

describe('Kubernetes in-cluster (a pod running VS Code)', () => {
  let api: KubeApiServer;
  let janeToken: string;
  let lines: string[];
  const tmp = useTempDir('kube-pod-');

  before(async () => {
    api = await KubeApiServer.start();
    api.addServiceAccount(NS, SA);
    api.addServiceAccount(NS, POD_SA);
    api.addServiceAccount('default', SA);
    api.addServiceAccount('from-variable', SA);
    api.allow(POD_USER, NS);
    api.allow(POD_USER, 'default');
    api.allow(POD_USER, 'from-variable');
    janeToken = api.addTokenUser('jane');
    api.allow('jane', NS);
  });
  after(() => api.stop());
  beforeEach(() => {
    api.requests.length = 0;
    lines = [];
  });

  const logger: Logger = {
    info: (m) => void lines.push(`info: ${m}`),
    warn: (m) => void lines.push(`warn: ${m}`),
    error: (m) => void lines.push(`error: ${m}`),
  };

  /** A context inside a pod (mount in the temp folder), with `env` added (e.g. KUBECONFIG). */
  async function inPod(
    env: Record<string, string> = {},
    options: { without?: PodMountFile[]; serviceAccount?: string } = {},
  ): Promise<ProviderContext> {
    const root = join(tmp.path, 'serviceaccount');
    const variables = await writePodMount(
      api,
      root,
      NS,
      options.serviceAccount ?? POD_SA,
      options.without,
    );
    return {
      ...testContext({
        env: { ...variables, ...env },
        homeDir: join(tmp.path, 'home'),
        timeoutMs: 3000,
        logger,
      }),
      parseYaml,
      inClusterRoot: root,
    };
  }

  /** A kubeconfig whose current context is jane on the same emulator. */
  async function janeKubeconfig(withCurrentContext = true): Promise<string> {
    return writeKubeconfig(join(tmp.path, 'kubeconfig'), {
      clusters: [api.cluster('lab')],
      users: [{ name: 'jane', token: janeToken }],
      contexts: [{ name: 'lab', cluster: 'lab', user: 'jane', namespace: NS }],
      ...(withCurrentContext ? { currentContext: 'lab' } : {}),
    });
  }

  const account = (settings: Record<string, unknown>): Account => ({
    id: 'pod',
    kind: 'kubernetes',
    settings: { serviceAccount: SA, ...settings },
  });
  const mint = (ctx: ProviderContext, settings: Record<string, unknown> = {}) =>
    kubernetesProvider.mint(account(settings), { audience: AUDIENCE }, ctx);
  const lastUser = () => api.requests.at(-1)?.user;
  const lastPath = () => api.requests.at(-1)?.path;

  describe('minting', () => {
    it('"inCluster" mints as the pod even when a kubeconfig names another user', async () => {
      const ctx = await inPod({ KUBECONFIG: await janeKubeconfig() });
      const minted = await mint(ctx, { inCluster: true, namespace: NS });
      const { payload } = await jwtVerify(minted.token, createLocalJWKSet(api.jwks()), {
        issuer: api.issuer,
        audience: AUDIENCE,
      });
      assert.equal(payload.sub, `system:serviceaccount:${NS}:${SA}`);
      assert.equal(lastUser(), POD_USER);
    });

    it('without "inCluster", a kubeconfig with a current context wins (kubectl order)', async () => {
      await mint(await inPod({ KUBECONFIG: await janeKubeconfig() }), { namespace: NS });
      assert.equal(lastUser(), 'jane');
    });

    it('an empty kubeconfig falls back to the pod: missing KUBECONFIG files, no current context', async () => {
      await mint(await inPod({ KUBECONFIG: join(tmp.path, 'gone-1:gone-2') }));
      assert.equal(lastUser(), POD_USER);
      api.requests.length = 0;
      await mint(await inPod({ KUBECONFIG: await janeKubeconfig(false) }));
      assert.equal(lastUser(), POD_USER);
      // A named context is never taken from the pod: kubectl fails on it too.
      await rejectsWith(
        mint(await inPod({ KUBECONFIG: join(tmp.path, 'gone') }), { context: 'lab' }),
        'bad-config',
        /None of the files in KUBECONFIG exist/,
      );
    });

    it('namespace: the setting, else POD_NAMESPACE, else the namespace file, else default', async () => {
      const tokenPath = (ns: string) => `/api/v1/namespaces/${ns}/serviceaccounts/${SA}/token`;
      await mint(await inPod(), { inCluster: true, namespace: 'default' });
      assert.equal(lastPath(), tokenPath('default'));
      await mint(await inPod({ POD_NAMESPACE: 'from-variable' }), { inCluster: true });
      assert.equal(lastPath(), tokenPath('from-variable'));
      await mint(await inPod(), { inCluster: true });
      assert.equal(lastPath(), tokenPath(NS));
      await mint(await inPod({}, { without: ['namespace'] }), { inCluster: true });
      assert.equal(lastPath(), tokenPath('default'));
    });

    it('goes on without ca.crt (as client-go) and then names the untrusted certificate', async () => {
      await rejectsWith(
        mint(await inPod({}, { without: ['ca.crt'] }), { inCluster: true }),
        'network',
        /not signed by a CA this computer trusts, and the pod has no readable .*\/ca.crt/,
      );
    });

    it('no token mounted: says why (automountServiceAccountToken) and what fixes it', async () => {
      const chosen = await rejectsWith(
        mint(await inPod({}, { without: ['token'] }), { inCluster: true }),
        'bad-config',
        /runs in a Kubernetes pod .* no service-account token at .*\/token/,
        /automountServiceAccountToken: true/,
      );
      assert.deepEqual(remediesFor(chosen).map(remedyLabel), ['Use Another Method…']);
      const implicit = await rejectsWith(
        mint(await inPod({}, { without: ['token'] })),
        'bad-config',
        /automountServiceAccountToken/,
      );
      assert.deepEqual(remediesFor(implicit).map(remedyLabel), ['Pick Kubeconfig…']);
    });

    it('a token that cannot be read says which file and how to make it readable', async () => {
      // A directory in the token's place fails to read for any user, root included.
      const ctx = await inPod({}, { without: ['token'] });
      await mkdir(join(ctx.inClusterRoot ?? '', 'token'));
      await rejectsWith(
        mint(ctx, { inCluster: true }),
        'bad-config',
        /token .*\/token could not be read: .*fsGroup/,
      );
      await rm(join(ctx.inClusterRoot ?? '', 'token'), { recursive: true });
    });

    it('"inCluster" outside a pod says so and offers another method', async () => {
      const ctx = await inPod();
      const outside = { ...ctx, env: { ...ctx.env, get: () => undefined } };
      const error = await rejectsWith(
        mint(outside, { inCluster: true }),
        'bad-config',
        /not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set/,
      );
      assert.deepEqual(remediesFor(error).map(remedyLabel), ['Use Another Method…']);
    });

    it('RBAC 403: the grant for the pod service account and the can-i check to copy', async () => {
      api.addServiceAccount('payments', SA);
      const error = await rejectsWith(
        mint(await inPod(), { inCluster: true, namespace: 'payments' }),
        'permission-denied',
        new RegExp(`"${POD_USER}" may not request tokens for the service account payments/${SA}`),
        /--serviceaccount=team-a:runner -n payments/,
        /from this pod's terminal with: kubectl auth can-i create serviceaccounts\/builder --subresource=token -n payments/,
      );
      const remedies = remediesFor(error);
      assert.deepEqual(remedies.map(remedyLabel), ['Copy Grant Commands', 'Copy Check Command']);
      assert.deepEqual(
        remedies.map((r) => (r.kind === 'copyCommand' ? r.command.split('\n') : [])),
        [
          [
            `kubectl create role token-requester --verb=create --resource=serviceaccounts/token --resource-name=${SA} -n payments`,
            `kubectl create rolebinding token-requester --role=token-requester --serviceaccount=${NS}:${POD_SA} -n payments`,
          ],
          [`kubectl auth can-i create serviceaccounts/${SA} --subresource=token -n payments`],
        ],
      );
    });

    it("401 once the pod's service account is gone: restart the pod, not a kubeconfig", async () => {
      api.addServiceAccount(NS, 'short-lived');
      api.allow(`system:serviceaccount:${NS}:short-lived`, NS);
      const ctx = await inPod({}, { serviceAccount: 'short-lived' });
      await mint(ctx, { inCluster: true });
      api.removeServiceAccount(NS, 'short-lived');
      const error = await rejectsWith(
        mint(ctx, { inCluster: true }),
        'bad-credentials',
        /rejected the pod's service-account token from .*\/token \(HTTP 401/,
        /Restart the pod/,
      );
      assert.ok(!/kubeconfig/.test(error.message), error.message);
    });
  });

  describe('the account', () => {
    it('is described as in-cluster with the server from the variables', async () => {
      const ctx = await inPod();
      const described = kubernetesProvider.describe(
        account({ inCluster: true, namespace: NS }),
        ctx.env,
      );
      assert.equal(described, `${NS}/${SA} (in-cluster ${new URL(api.url).host})`);
      assert.equal(
        kubernetesProvider.describe(account({ inCluster: true, namespace: NS })),
        `${NS}/${SA} (in-cluster)`,
      );
    });

    it('"inCluster" refuses a kubeconfig, a context or kubectl beside it', () => {
      assert.deepEqual(kubernetesProvider.validate(account({ inCluster: true })), []);
      const [problem] = kubernetesProvider.validate(
        account({ inCluster: true, context: 'lab', method: 'kubectl' }),
      );
      assert.match(problem ?? '', /remove "context" and "method": "kubectl", or set "inCluster"/);
      assert.deepEqual(kubernetesProvider.validate(account({ inCluster: 'yes' })), [
        '"inCluster" must be true or false.',
      ]);
    });
  });

  describe('Detect Credentials', () => {
    const detectPorts = (context: ProviderContext): DetectPorts => ({
      context,
      environmentNames: () => [],
      signal: new AbortController().signal,
      shared: (_key, compute) => compute(),
    });

    it('offers the pod first, then the kubeconfig contexts; the token file is told apart', async () => {
      const ctx = await inPod({ KUBECONFIG: await janeKubeconfig() });
      const found = await kubernetesDescriptor.detect?.(detectPorts(ctx));
      assert.deepEqual(
        found?.map((f) => [f.label, f.description, f.draft.settings]),
        [
          [
            "$(server-process) Kubernetes in-cluster: this pod's service account",
            `${api.url} · namespace ${NS}`,
            { inCluster: true, namespace: NS },
          ],
          ['$(server-process) Kubernetes context lab', `current · ${api.url}`, { context: 'lab' }],
        ],
      );
      assert.match(
        found?.[0]?.detail ?? '',
        /for the audience you choose.*not the pod's own token file/,
      );
      const files = await tokenFileDescriptor.detect?.(detectPorts(ctx));
      const podFile = files?.find((f) => f.draft.settings.path === `${ctx.inClusterRoot}/token`);
      assert.equal(
        podFile?.label,
        "$(file-code) Kubernetes service-account token file (this pod's own token)",
      );
      assert.match(podFile?.detail ?? '', /audience is fixed by the pod spec/);
    });

    it('offers no pod without a mounted token (client-go: in-cluster not possible)', async () => {
      const ctx = await inPod({}, { without: ['token'] });
      assert.deepEqual(await kubernetesDescriptor.detect?.(detectPorts(ctx)), []);
    });

    it('says where the namespace came from when the file is missing', async () => {
      const ctx = await inPod({}, { without: ['namespace'] });
      const [pod] = (await kubernetesDescriptor.detect?.(detectPorts(ctx))) ?? [];
      assert.match(pod?.description ?? '', /namespace default \(no .*\/namespace file\)$/);
    });

    it('a broken kubeconfig does not hide the pod (it is logged)', async () => {
      const broken = join(tmp.path, 'broken');
      await writeFile(broken, 'clusters: [unclosed\n');
      const found = await kubernetesDescriptor.detect?.(
        detectPorts(await inPod({ KUBECONFIG: broken })),
      );
      assert.deepEqual(
        found?.map((f) => f.draft.settings),
        [{ inCluster: true, namespace: NS }],
      );
      assert.ok(
        lines.some((l) => /^warn: .*not valid YAML/.test(l)),
        lines.join('\n'),
      );
      await rm(broken);
    });
  });
});
