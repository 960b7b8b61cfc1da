import * as assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { ErrorCode } from '../../../../../src/core/errors';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import { JwksCache } from '../../../../../src/core/jwt/jwks';
import { verifySignature } from '../../../../../src/core/jwt/verify';
import { nodeProcessRunner } from '../../../../../src/core/node/processRunner';
import type { Logger } from '../../../../../src/core/ports';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { readKubernetesSettings } from '../../../../../src/core/providers/kubernetes/kubernetesSettings';
import { kubernetesProvider } from '../../../../../src/core/providers/kubernetes/tokenRequest';
import { testContext } from '../../../../helpers/context';
import {
  KubeApiServer,
  makeCertificateAuthority,
  writeKubeconfig,
} from '../../../../emulators/kubernetes/apiServer';
import type {
  KubeFault,
  KubeconfigCluster,
  KubeconfigSpec,
  KubeconfigUser,
  PemPair,
} from '../../../../emulators/kubernetes/apiServer';
import { findScript } from '../../../../emulators/fakeCli';
import { makeFakeKubectl } from '../../../../emulators/kubernetes/fakeKubectl';
import type { FakeKubectl } from '../../../../emulators/kubernetes/fakeKubectl';
import { parseYaml } from '../../../../../src/core/yaml';
import { rejectsWith } from '../../../helpers/assertions';
import { remediesFor } from '../../../../../src/core/remedies';
import { closedPort, useTempDir } from '../../../helpers/fixtures';

const AUDIENCE = 'https://vault.example.com';
const NS = 'team-a';
const SA = 'builder';
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** A logger that keeps what it was told, to check warnings. */
class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info = (message: string) => void this.lines.push(`info: ${message}`);
  warn = (message: string) => void this.lines.push(`warn: ${message}`);
  error = (message: string) => void this.lines.push(`error: ${message}`);
}

describe('kubernetes provider (TokenRequest)', () => {
  let api: KubeApiServer;
  let janeToken: string;
  let bot: PemPair;
  let logger: MemoryLogger;
  const tmp = useTempDir('kube-');

  before(async () => {
    api = await KubeApiServer.start();
    api.addServiceAccount(NS, SA);
    api.addServiceAccount('default', 'default');
    api.addNamespace('empty');
    janeToken = api.addTokenUser('jane');
    api.allow('jane', NS);
    api.allow('jane', 'empty');
    api.allow('jane', 'ghost-ns');
    bot = await api.issueClientCertificate('ci-bot', ['system:authenticated']);
    api.allow('ci-bot', NS);
  });
  after(() => api.stop());
  beforeEach(() => {
    api.fault = 'none';
    api.requests.length = 0;
    logger = new MemoryLogger();
  });

  /** A context whose kubeconfig (real YAML in the temp folder) has one context "emu". */
  async function kubeContext(
    user: Omit<KubeconfigUser, 'name'> | undefined,
    cluster: Partial<KubeconfigCluster> = {},
    options: { timeoutMs?: number; namespace?: string; format?: 'yaml' | 'json' } = {},
  ): Promise<ProviderContext> {
    const spec: KubeconfigSpec = {
      clusters: [{ ...api.cluster('emu'), ...cluster }],
      users: user ? [{ name: 'emu-user', ...user }] : [],
      contexts: [
        {
          name: 'emu',
          cluster: 'emu',
          ...(user ? { user: 'emu-user' } : {}),
          namespace: options.namespace ?? NS,
        },
      ],
      currentContext: 'emu',
    };
    const path = await writeKubeconfig(join(tmp.path, 'config'), spec, options.format);
    return {
      ...testContext({
        env: { KUBECONFIG: path },
        homeDir: tmp.path,
        timeoutMs: options.timeoutMs ?? 3000,
        runner: nodeProcessRunner,
      }),
      logger,
      parseYaml,
    };
  }

  const account = (settings: Record<string, unknown> = {}): Account => ({
    id: 'k8s',
    kind: 'kubernetes',
    settings: { serviceAccount: SA, ...settings },
  });

  const mint = (
    ctx: ProviderContext,
    settings: Record<string, unknown> = {},
    audience = AUDIENCE,
  ) => kubernetesProvider.mint(account(settings), { audience }, ctx);

  async function verify(token: string, audience = AUDIENCE): Promise<JWTPayload> {
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(api.jwks()), {
      issuer: ISSUER,
      audience,
      algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.kid, api.jwks().keys[0]?.kid);
    return payload;
  }

  it('mints for a token user over TLS with the cluster CA from the kubeconfig', async () => {
    const minted = await mint(await kubeContext({ token: janeToken }));
    const payload = await verify(minted.token);
    assert.deepEqual(payload.aud, [AUDIENCE]);
    assert.equal(payload.sub, `system:serviceaccount:${NS}:${SA}`);
    assert.equal(payload.iss, ISSUER);
    assert.equal(payload.exp, (payload.iat ?? 0) + 3600);
    assert.equal(payload.nbf, payload.iat);
    const k8s = payload['kubernetes.io'] as { namespace: string; serviceaccount: { name: string } };
    assert.equal(k8s.namespace, NS);
    assert.equal(k8s.serviceaccount.name, SA);
    assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
    assert.deepEqual(api.requests, [
      {
        method: 'POST',
        path: `/api/v1/namespaces/${NS}/serviceaccounts/${SA}/token`,
        user: 'jane',
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { audiences: [AUDIENCE], expirationSeconds: 3600 },
        },
      },
    ]);
    assert.deepEqual(logger.lines, []);
  });

  it('mints for a client-certificate user (certificate and key as data)', async () => {
    const ctx = await kubeContext(
      { clientCertificateData: bot.certPem, clientKeyData: bot.keyPem },
      {},
      { format: 'json' },
    );
    const payload = await verify((await mint(ctx)).token);
    assert.equal(payload.sub, `system:serviceaccount:${NS}:${SA}`);
    assert.equal(api.requests[0]?.user, 'ci-bot');
  });

  it('reads the CA, client certificate, key and token from files next to the kubeconfig', async () => {
    await writeFile(join(tmp.path, 'ca.crt'), api.caPem);
    await writeFile(join(tmp.path, 'bot.crt'), bot.certPem);
    await writeFile(join(tmp.path, 'bot.key'), bot.keyPem);
    const certificateOnly = await kubeContext(
      { clientCertificate: 'bot.crt', clientKey: 'bot.key' },
      { certificateAuthorityData: undefined, certificateAuthority: 'ca.crt' },
    );
    await verify((await mint(certificateOnly)).token);
    assert.equal(api.requests.at(-1)?.user, 'ci-bot');
    await writeFile(join(tmp.path, 'token'), `${janeToken}\n`);
    const tokenFile = await kubeContext(
      { tokenFile: 'token' },
      { certificateAuthorityData: undefined, certificateAuthority: join(tmp.path, 'ca.crt') },
    );
    await verify((await mint(tokenFile)).token);
    assert.equal(api.requests.at(-1)?.user, 'jane');
  });

  it('leaves out audiences for an empty audience: the API server uses its own', async () => {
    const minted = await mint(await kubeContext({ token: janeToken }), {}, '  ');
    assert.deepEqual((await verify(minted.token, ISSUER)).aud, [ISSUER]);
    assert.deepEqual((api.requests[0]?.body as { spec: unknown }).spec, {
      expirationSeconds: 3600,
    });
  });

  it('takes namespace and expirationSeconds from settings, raising short lifetimes to 600 s', async () => {
    api.addServiceAccount('other', 'deployer');
    api.allow('jane', 'other');
    const ctx = await kubeContext({ token: janeToken });
    const long = await verify(
      (await mint(ctx, { namespace: 'other', serviceAccount: 'deployer', expirationSeconds: 7200 }))
        .token,
    );
    assert.equal(long.sub, 'system:serviceaccount:other:deployer');
    assert.equal((long.exp ?? 0) - (long.iat ?? 0), 7200);
    const short = await verify((await mint(ctx, { expirationSeconds: 60 })).token);
    assert.equal((short.exp ?? 0) - (short.iat ?? 0), 600);
    assert.equal(logger.lines.length, 1);
    assert.match(
      logger.lines[0] ?? '',
      /^warn: .*expirationSeconds 60 is below the API's minimum of 600 s/,
    );
  });

  it('defaults to the "default" namespace when the context has none', async () => {
    const ctx = await kubeContext({ token: janeToken }, {}, { namespace: '' });
    api.allow('jane', 'default');
    const payload = await verify((await mint(ctx, { serviceAccount: 'default' })).token);
    assert.equal(payload.sub, 'system:serviceaccount:default:default');
  });

  it('rejects a cluster whose certificate is not signed by the kubeconfig CA', async () => {
    const other = await makeCertificateAuthority('some-other-cluster-ca');
    try {
      const error = await rejectsWith(
        mint(await kubeContext({ token: janeToken }, { certificateAuthorityData: other.certPem })),
        'network',
        /^Could not connect securely to https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/team-a\/serviceaccounts\/builder\/token: /,
        // The emulator sends its CA along with its certificate, as a cluster behind a chain would.
        /the cluster's certificate is not signed by the CA in your kubeconfig \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\)/,
        /cluster "emu" in .*config/,
      );
      assert.ok(!error.message.includes(janeToken));
      assert.equal(api.requests.length, 0);
    } finally {
      await other.cleanup();
    }
    await rejectsWith(
      mint(await kubeContext({ token: janeToken }, { certificateAuthorityData: undefined })),
      'network',
      /not signed by a CA this computer trusts, and cluster "emu" .* names no "certificate-authority-data"/,
    );
  });

  it('checks the server name, honouring tls-server-name', async () => {
    await verify(
      (
        await mint(
          await kubeContext({ token: janeToken }, { tlsServerName: 'kubernetes.default.svc' }),
        )
      ).token,
    );
    await rejectsWith(
      mint(await kubeContext({ token: janeToken }, { tlsServerName: 'wrong.example' })),
      'network',
      /not issued for wrong\.example \(ERR_TLS_CERT_ALTNAME_INVALID\)/,
      /set "tls-server-name"/,
    );
  });

  it('skips verification only when the kubeconfig says insecure-skip-tls-verify, and warns', async () => {
    const ctx = await kubeContext(
      { token: janeToken },
      { certificateAuthorityData: undefined, insecureSkipTlsVerify: true },
    );
    await verify((await mint(ctx)).token);
    assert.equal(logger.lines.length, 1);
    assert.match(
      logger.lines[0] ?? '',
      /^warn: .*not checked, because "insecure-skip-tls-verify: true"/,
    );
  });

  it('401: an unknown token or a client certificate from another CA', async () => {
    const error = await rejectsWith(
      mint(await kubeContext({ token: 'revoked-token-value' })),
      'bad-credentials',
      /rejected the credentials of the user "emu-user" \(HTTP 401 Unauthorized\)/,
      /Refresh the kubeconfig/,
    );
    assert.ok(!error.message.includes('revoked-token-value'));
    const stranger = await makeCertificateAuthority('stranger-ca');
    try {
      const pair = await stranger.issue('client', 'mallory');
      await rejectsWith(
        mint(
          await kubeContext({ clientCertificateData: pair.certPem, clientKeyData: pair.keyPem }),
        ),
        'bad-credentials',
        /HTTP 401/,
      );
    } finally {
      await stranger.cleanup();
    }
  });

  it('403 names the RBAC permission and shows the rolebinding to create', async () => {
    api.addServiceAccount('locked', SA);
    const denied = await rejectsWith(
      mint(await kubeContext({ token: janeToken }), { namespace: 'locked' }),
      'permission-denied',
      /"jane" may not request tokens for the service account locked\/builder/,
      /User "jane" cannot create resource "serviceaccounts\/token" in API group "" in the namespace "locked"/,
      /"create" on "serviceaccounts\/token" in the namespace locked/,
      /kubectl create role token-requester --verb=create --resource=serviceaccounts\/token --resource-name=builder -n locked/,
      /kubectl create rolebinding token-requester --role=token-requester --user=jane -n locked/,
    );
    assert.deepEqual(remediesFor(denied), [
      {
        kind: 'copyCommand',
        command:
          'kubectl create role token-requester --verb=create --resource=serviceaccounts/token --resource-name=builder -n locked\nkubectl create rolebinding token-requester --role=token-requester --user=jane -n locked',
        label: 'Copy Grant Commands',
      },
    ]);
    // The cause has the HttpFailure shape of src/core/http.ts.
    assert.deepEqual(denied.cause, {
      status: 403,
      error: 'Forbidden',
      description:
        'serviceaccounts "builder" is forbidden: User "jane" cannot create resource "serviceaccounts/token" in API group "" in the namespace "locked"',
    });
    await rejectsWith(
      mint(await kubeContext(undefined)),
      'permission-denied',
      /"system:anonymous" may not request tokens/,
      /The request was anonymous/,
    );
  });

  it('404 says which of service account or namespace does not exist', async () => {
    const ctx = await kubeContext({ token: janeToken });
    await rejectsWith(
      mint(ctx, { namespace: 'empty' }),
      'bad-config',
      /The service account "builder" does not exist in the namespace "empty"/,
      /serviceaccounts "builder" not found/,
      /kubectl get serviceaccounts -n empty --context emu/,
    );
    await rejectsWith(
      mint(ctx, { namespace: 'ghost-ns' }),
      'bad-config',
      /The namespace "ghost-ns" does not exist/,
    );
  });

  it('a 404 without details.kind serviceaccounts is not a missing service account', async () => {
    const ctx = await kubeContext({ token: janeToken });
    try {
      api.fault = 'no-token-request';
      const error = await rejectsWith(
        mint(ctx),
        'bad-config',
        /the server could not find the requested resource/,
        /does not serve the TokenRequest API/,
      );
      assert.doesNotMatch(error.message, /does not exist/);
      api.fault = 'plain-404';
      const plain = await rejectsWith(
        mint(ctx),
        'bad-config',
        /404 page not found/,
        /not from the Kubernetes API/,
      );
      assert.doesNotMatch(plain.message, /does not exist/);
    } finally {
      api.fault = 'none';
    }
  });

  describe('exec credential plugins (a real process, as client-go runs them)', () => {
    const plugin = findScript('execPlugin', 'kubernetes/execPlugin.mjs');
    const execUser = (env: Record<string, string>, exec: Record<string, unknown> = {}) => ({
      exec: {
        command: process.execPath,
        args: [plugin, '--cluster=emu'],
        env: Object.entries({ ELECTRON_RUN_AS_NODE: '1', FAKE_EXEC_LOG: log(), ...env }).map(
          ([name, value]) => ({ name, value }),
        ),
        ...exec,
      },
    });
    const log = () => join(tmp.path, 'exec.jsonl');
    const runs = async (): Promise<{ info: Record<string, unknown>; argv: string[] }[]> =>
      (await readFile(log(), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { info: Record<string, unknown>; argv: string[] });
    beforeEach(() => writeFile(log(), ''));

    it('v1: runs the plugin with env and KUBERNETES_EXEC_INFO, and uses its token', async () => {
      const ctx = await kubeContext(
        execUser(
          { FAKE_EXEC_TOKEN: janeToken, FAKE_EXEC_EXPIRES_IN: '3600' },
          { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never' },
        ),
      );
      const minted = await mint(ctx);
      assert.equal((await verify(minted.token)).sub, `system:serviceaccount:${NS}:${SA}`);
      assert.equal(api.requests.at(-1)?.user, 'jane');
      const [run] = await runs();
      assert.deepEqual(run?.argv, ['--cluster=emu']);
      assert.equal(run?.info.apiVersion, 'client.authentication.k8s.io/v1');
      assert.equal(run?.info.kind, 'ExecCredential');
      const spec = run?.info.spec as { interactive: boolean; cluster: Record<string, unknown> };
      assert.equal(spec.interactive, false);
      assert.equal(spec.cluster.server, api.url);
      assert.equal(
        Buffer.from(String(spec.cluster['certificate-authority-data']), 'base64').toString(),
        api.caPem,
      );
      // Cached until its expirationTimestamp: a second mint does not run the plugin.
      await mint(ctx);
      assert.equal((await runs()).length, 1);
    });

    it('v1beta1: interactiveMode defaults to IfAvailable; expired credentials run it again', async () => {
      const ctx = await kubeContext(
        execUser(
          { FAKE_EXEC_TOKEN: janeToken, FAKE_EXEC_EXPIRES_IN: '-10' },
          {
            interactiveMode: '',
            provideClusterInfo: false,
          },
        ),
      );
      await mint(ctx);
      await mint(ctx);
      const all = await runs();
      assert.equal(all.length, 2);
      assert.equal((all[0]?.info.spec as { cluster?: unknown }).cluster, undefined);
    });

    it('runs the plugin again once when the API server answers 401', async () => {
      const ctx = await kubeContext(execUser({ FAKE_EXEC_TOKEN: 'revoked-token' }));
      await rejectsWith(mint(ctx), 'bad-credentials');
      assert.equal((await runs()).length, 2);
    });

    it('explains a plugin that fails, is missing, answers another version, or needs a terminal', async () => {
      const kubeconfig = join(tmp.path, 'config');
      const signIn = {
        kind: 'copyCommand',
        command: `kubectl --kubeconfig ${kubeconfig} --context emu get --raw /version`,
        label: 'Copy Sign-in Command',
      };
      const failed = await rejectsWith(
        mint(
          await kubeContext(execUser({ FAKE_EXEC_FAIL: 'error: please run gcloud auth login' })),
        ),
        'cli-failed',
        /failed \(exit code 1\):\nerror: please run gcloud auth login/,
        /Run `kubectl --kubeconfig .* --context emu get --raw \/version` in a terminal/,
      );
      assert.deepEqual(remediesFor(failed), [signIn]);
      const missing = await rejectsWith(
        mint(
          await kubeContext({
            exec: {
              command: join(tmp.path, 'gke-gcloud-auth-plugin'),
              installHint: 'Install it with gcloud components install gke-gcloud-auth-plugin.',
            },
          }),
        ),
        'cli-not-found',
        /was not found\. Install it with gcloud components install gke-gcloud-auth-plugin\./,
      );
      // Open the kubeconfig that names it, or the vendor's install page (known by its name).
      assert.deepEqual(remediesFor(missing), [
        { kind: 'openFile', path: kubeconfig },
        {
          kind: 'openUrl',
          url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin',
          label: 'Install Guide',
        },
      ]);
      // A hint with a URL wins over the table; an unknown plugin without one: its kubeconfig.
      for (const [command, installHint, url] of [
        ['kubelogin', undefined, 'https://azure.github.io/kubelogin/install.html'],
        [
          'aws.exe',
          undefined,
          'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html',
        ],
        [
          'my-plugin',
          'See https://plugins.example.com/install, then retry.',
          'https://plugins.example.com/install',
        ],
        ['my-plugin', 'Ask your admin.', undefined],
      ] as const) {
        const error = await rejectsWith(
          mint(
            await kubeContext({
              exec: {
                command: join(tmp.path, 'none', command),
                ...(installHint ? { installHint } : {}),
              },
            }),
          ),
          'cli-not-found',
        );
        assert.deepEqual(remediesFor(error), [
          { kind: 'openFile', path: kubeconfig },
          ...(url ? [{ kind: 'openUrl', url, label: 'Install Guide' }] : []),
        ]);
      }
      await rejectsWith(
        mint(
          await kubeContext(
            execUser({
              FAKE_EXEC_TOKEN: janeToken,
              FAKE_EXEC_API_VERSION: 'client.authentication.k8s.io/v1',
            }),
          ),
        ),
        'bad-response',
        /configured to use API version client\.authentication\.k8s\.io\/v1beta1, but returned version client\.authentication\.k8s\.io\/v1/,
      );
      const terminal = await rejectsWith(
        mint(
          await kubeContext(
            execUser({ FAKE_EXEC_TOKEN: janeToken }, { interactiveMode: 'Always' }),
          ),
        ),
        'bad-config',
        /needs a terminal/,
      );
      assert.deepEqual(remediesFor(terminal), [signIn]);
      const broken = await rejectsWith(
        mint(
          await kubeContext(execUser({}, { apiVersion: 'client.authentication.k8s.io/v1alpha1' })),
        ),
        'bad-config',
        /"apiVersion" must be/,
      );
      assert.deepEqual(remediesFor(broken), [{ kind: 'openFile', path: kubeconfig }]);
      assert.equal(api.requests.length, 0);
    });
  });

  it('without a kubeconfig, uses the pod service account (in-cluster config)', async () => {
    const root = join(tmp.path, 'serviceaccount');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'token'), `${janeToken}\n`);
    await writeFile(join(root, 'ca.crt'), api.caPem);
    await writeFile(join(root, 'namespace'), NS);
    const port = new URL(api.url).port;
    const ctx: ProviderContext = {
      ...testContext({
        env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
        homeDir: join(tmp.path, 'no-home'),
        timeoutMs: 3000,
      }),
      logger,
      parseYaml,
      inClusterRoot: root,
    };
    const minted = await kubernetesProvider.mint(account(), { audience: AUDIENCE }, ctx);
    assert.equal((await verify(minted.token)).sub, `system:serviceaccount:${NS}:${SA}`);
    assert.equal(api.requests.at(-1)?.user, 'jane');
    // Outside a pod the missing kubeconfig is still explained.
    await rejectsWith(
      kubernetesProvider.mint(
        account(),
        { audience: AUDIENCE },
        { ...ctx, env: { ...ctx.env, get: () => undefined } },
      ),
      'bad-config',
      /No kubeconfig/,
    );
  });

  it('uses the token a legacy auth-provider cached in the kubeconfig', async () => {
    const ctx = await kubeContext({
      authProvider: { name: 'oidc', config: { 'id-token': janeToken, 'client-id': 'k8s' } },
    });
    await mint(ctx);
    assert.equal(api.requests.at(-1)?.user, 'jane');
  });

  it('explains a client key that does not match its certificate', async () => {
    const other = await api.issueClientCertificate('someone');
    const error = await rejectsWith(
      mint(await kubeContext({ clientCertificateData: bot.certPem, clientKeyData: other.keyPem })),
      'bad-config',
      /client certificate or key of user "emu-user" .* cannot be used/,
    );
    assert.ok(!error.message.includes('PRIVATE KEY'));
  });

  const faults: [KubeFault, ErrorCode, RegExp][] = [
    [
      'http-500',
      'http-status',
      /HTTP 500 Internal Server Error \(Internal error occurred: etcdserver: request timed out\)\. The cluster had a problem/,
    ],
    ['hang', 'timeout', /\/token did not answer within 0\.3 s/],
    ['reset', 'network', /connection was reset by the server/],
    [
      'not-json',
      'bad-response',
      /did not answer with JSON; is "server" of cluster "emu" the Kubernetes API server/,
    ],
  ];
  for (const [fault, code, pattern] of faults) {
    it(`fault ${fault} → ${code}`, async () => {
      api.fault = fault;
      const started = Date.now();
      const error = await rejectsWith(
        mint(await kubeContext({ token: janeToken }, {}, { timeoutMs: 300 })),
        code,
        pattern,
      );
      assert.ok(Date.now() - started < 2000);
      assert.ok(!error.message.includes(janeToken));
    });
  }

  it('reports connection refused', async () => {
    const port = await closedPort();
    await rejectsWith(
      mint(await kubeContext({ token: janeToken }, { server: `https://127.0.0.1:${port}` })),
      'network',
      /Could not reach https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/team-a\/serviceaccounts\/builder\/token: connection refused/,
    );
  });

  it('stops when the request is cancelled', async () => {
    api.fault = 'hang';
    const controller = new AbortController();
    const pending = kubernetesProvider.mint(
      account(),
      { audience: AUDIENCE, signal: controller.signal },
      await kubeContext({ token: janeToken }),
    );
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, 'cancelled', /was cancelled/);
  });

  it('mints a token the inspector verifies through the cluster JWKS', async () => {
    const minted = await mint(await kubeContext({ token: janeToken }));
    // The inspector fetches with Node's fetch, which does not trust the test CA: map the issuer to
    // the emulator's plain-HTTP JWKS, as the tokenExplorer.verification.jwksUris setting would.
    const jwks = new JwksCache(
      fetch,
      { now: () => Date.now() },
      {
        timeoutMs: 2000,
        jwksOverrides: () => ({ [ISSUER]: api.jwksHttpUrl }),
      },
    );
    const inspection = inspectToken(minted.token);
    assert.equal(inspection.issuer, ISSUER);
    const outcome = await verifySignature(inspection, {
      keySource: { kind: 'issuer' },
      jwks,
      allowNetwork: true,
    });
    assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
    assert.equal(outcome.status === 'verified' && outcome.keyFrom, api.jwksHttpUrl);
    const discovery = (await (
      await fetch(`${api.httpUrl}/.well-known/openid-configuration`)
    ).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    assert.equal(discovery.issuer, ISSUER);
    assert.equal(discovery.jwks_uri, api.jwksHttpUrl);
  });

  describe('kubectl method', () => {
    let kubectl: FakeKubectl;

    before(async () => {
      kubectl = await makeFakeKubectl({
        server: api.url,
        caPem: api.caPem,
        currentContext: 'emu',
        contexts: {
          emu: { namespace: NS, token: janeToken },
          stranger: { namespace: NS, token: 'unknown-token' },
          anonymous: {},
        },
      });
    });
    after(() => kubectl.cleanup());
    beforeEach(() => kubectl.update({ fault: 'none', colour: false }));

    function kubectlContext(timeoutMs = 10_000): ProviderContext {
      return {
        ...testContext({ runner: nodeProcessRunner, timeoutMs, platform: process.platform }),
        logger,
        kubectlPath: kubectl.path,
      };
    }
    const viaKubectl = (settings: Record<string, unknown> = {}, audience = AUDIENCE) =>
      mint(kubectlContext(), { method: 'kubectl', ...settings }, audience);

    it('runs kubectl create token and returns the verified token', async () => {
      const minted = await viaKubectl();
      const payload = await verify(minted.token);
      assert.equal(payload.sub, `system:serviceaccount:${NS}:${SA}`);
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);
      assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
      assert.deepEqual((await kubectl.calls()).at(-1), [
        'create',
        'token',
        SA,
        `--audience=${AUDIENCE}`,
        '--duration=3600s',
      ]);
    });

    it('passes namespace, context, kubeconfig (~ expanded) and leaves out an empty audience', async () => {
      const kubeconfig = join(tmp.path, 'kc');
      await writeFile(kubeconfig, '{}');
      const ctx = { ...kubectlContext(), env: { ...kubectlContext().env, homeDir: tmp.path } };
      const minted = await mint(
        ctx,
        {
          method: 'kubectl',
          namespace: NS,
          context: 'emu',
          kubeconfig: '~/kc',
          expirationSeconds: 900,
        },
        '',
      );
      const payload = await verify(minted.token, ISSUER);
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 900);
      assert.deepEqual((await kubectl.calls()).at(-1), [
        'create',
        'token',
        SA,
        `--namespace=${NS}`,
        '--duration=900s',
        '--context=emu',
        `--kubeconfig=${kubeconfig}`,
      ]);
    });

    it('reads the token of a kubectl whose output is coloured', async () => {
      await kubectl.update({ colour: true });
      const minted = await viaKubectl();
      assert.equal((await verify(minted.token)).sub, `system:serviceaccount:${NS}:${SA}`);
    });

    it('binds the token to an object with --bound-object-kind/-name/-uid, as the API method does', async () => {
      const boundObject = {
        kind: 'Pod',
        name: 'web-0',
        uid: '7c1e0f0a-1111-4222-8333-444455556666',
      };
      const minted = await viaKubectl({ boundObject });
      const payload = await verify(minted.token);
      assert.deepEqual((payload['kubernetes.io'] as { pod: unknown }).pod, {
        name: 'web-0',
        uid: boundObject.uid,
      });
      assert.deepEqual((await kubectl.calls()).at(-1)?.slice(-3), [
        '--bound-object-kind=Pod',
        '--bound-object-name=web-0',
        `--bound-object-uid=${boundObject.uid}`,
      ]);
      const direct = await mint(await kubeContext({ token: janeToken }), { boundObject });
      assert.deepEqual(((await verify(direct.token))['kubernetes.io'] as { pod: unknown }).pod, {
        name: 'web-0',
        uid: boundObject.uid,
      });
      assert.deepEqual(
        (api.requests.at(-1)?.body as { spec: { boundObjectRef: unknown } }).spec.boundObjectRef,
        {
          apiVersion: 'v1',
          ...boundObject,
        },
      );
    });

    it('checks boundObject as kubectl checks its flags', () => {
      assert.deepEqual(
        kubernetesProvider.validate(account({ boundObject: { kind: 'Deployment', name: 'x' } })),
        ['"boundObject.kind" must be one of Node, Pod, Secret.'],
      );
      assert.deepEqual(kubernetesProvider.validate(account({ boundObject: { kind: 'Secret' } })), [
        '"boundObject.name" is required when "boundObject" is set.',
      ]);
    });

    it('uses the account kubectlPath over the machine setting', async () => {
      const ctx = { ...kubectlContext(), kubectlPath: '/nonexistent/kubectl' };
      await verify((await mint(ctx, { method: 'kubectl', kubectlPath: kubectl.path })).token);
      await rejectsWith(
        mint(ctx, { method: 'kubectl' }),
        'cli-not-found',
        /kubectl was not found at \/nonexistent\/kubectl/,
        /tokenExplorer\.kubectl\.path/,
      );
    });

    const failures: [string, Record<string, unknown>, ErrorCode, RegExp[]][] = [
      [
        'a missing service account',
        { serviceAccount: 'nobody' },
        'bad-config',
        [
          /error: failed to create token: serviceaccounts "nobody" not found/,
          /does not exist in the context's namespace/,
        ],
      ],
      [
        'a missing namespace',
        { namespace: 'ghost-ns' },
        'bad-config',
        [/namespaces "ghost-ns" not found/, /The namespace "ghost-ns" does not exist/],
      ],
      [
        'RBAC',
        { namespace: 'locked' },
        'permission-denied',
        [
          /is forbidden: User "jane" cannot create resource "serviceaccounts\/token"/,
          /kubectl create rolebinding token-requester --role=token-requester --user=jane -n locked/,
        ],
      ],
      [
        'rejected credentials',
        { context: 'stranger' },
        'bad-credentials',
        [/error: failed to create token: Unauthorized/, /rejected kubectl's credentials/],
      ],
      [
        'an unknown context',
        { context: 'nope' },
        'bad-config',
        [/context was not found for specified context: nope/, /kubectl config get-contexts/],
      ],
      [
        'a missing kubeconfig',
        { kubeconfig: '/nope/config' },
        'bad-config',
        [
          /error: stat \/nope\/config: no such file or directory/,
          /kubeconfig \/nope\/config does not exist/,
        ],
      ],
    ];
    for (const [what, settings, code, patterns] of failures) {
      it(`explains ${what}`, async () => {
        await rejectsWith(viaKubectl(settings), code, /failed \(exit code 1\)/, ...patterns);
      });
    }

    it('explains a kubectl older than 1.24', async () => {
      await kubectl.update({ fault: 'old-kubectl' });
      await rejectsWith(viaKubectl(), 'cli-failed', /needs kubectl 1\.24 or newer/);
    });

    it('stops a kubectl that hangs', async () => {
      api.fault = 'hang';
      await rejectsWith(
        mint(kubectlContext(500), { method: 'kubectl' }),
        'timeout',
        /did not finish within 0\.5 s and was stopped/,
      );
    });

    it('the fake refuses short durations with the API server wording', async () => {
      const result = await nodeProcessRunner.run(
        kubectl.path,
        ['create', 'token', SA, '--duration=60s'],
        { timeoutMs: 10_000 },
      );
      assert.equal(result.exitCode, 1);
      assert.equal(
        result.stderr.trim(),
        'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
      );
    });
  });

  it('validates and describes settings', () => {
    assert.deepEqual(kubernetesProvider.validate(account()), []);
    assert.equal(kubernetesProvider.validate(account({ serviceAccount: '' })).length, 1);
    assert.match(
      kubernetesProvider.validate(account({ serviceAccount: 'Not_Valid' }))[0] ?? '',
      /not a Kubernetes name/,
    );
    assert.equal(kubernetesProvider.validate(account({ namespace: 'a.b' })).length, 1);
    assert.equal(kubernetesProvider.validate(account({ expirationSeconds: 1.5 })).length, 1);
    assert.equal(kubernetesProvider.validate(account({ method: 'ssh' })).length, 1);
    assert.equal(kubernetesProvider.validate(account({ context: 3 })).length, 1);
    assert.equal(kubernetesProvider.describe(account()), 'builder (current context)');
    assert.equal(
      kubernetesProvider.describe(account({ namespace: NS, context: 'prod', method: 'kubectl' })),
      'team-a/builder (prod, via kubectl)',
    );
    assert.deepEqual(readKubernetesSettings(account()), {
      serviceAccount: SA,
      expirationSeconds: 3600,
      method: 'api',
    });
    assert.throws(() => readKubernetesSettings(account({ serviceAccount: 3 })), /not set up right/);
  });
});
