import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { OutboundProxy } from '../../../../../src/core/net/outboundProxy';
import { nodeProcessRunner } from '../../../../../src/core/node/processRunner';
import type { ProviderContext } from '../../../../../src/core/providers/provider';
import { kubernetesProvider } from '../../../../../src/core/providers/kubernetes/tokenRequest';
import { parseYaml } from '../../../../../src/core/yaml';
import { testContext } from '../../../../helpers/context';
import { KubeApiServer, writeKubeconfig } from '../../../../emulators/kubernetes/apiServer';
import type { KubeconfigCluster } from '../../../../emulators/kubernetes/apiServer';
import { ForwardProxy } from '../../../../emulators/net/forwardProxy';
import { SocksProxy } from '../../../../emulators/net/socksProxy';
import { rejectsWith } from '../../../helpers/assertions';
import { closedPort, useTempDir } from '../../../helpers/fixtures';

const NS = 'team-a';
const SA = 'builder';
const AUDIENCE = 'https://vault.example.com';
// A name on the emulator's certificate that only the proxy resolves.
const CLUSTER_HOST = 'kubernetes.default.svc';

describe('kubernetes provider: retries (client-go policy) and proxies', () => {
  let api: KubeApiServer;
  let proxy: ForwardProxy;
  let janeToken: string;
  const tmp = useTempDir('kube-retry-');

  before(async () => {
    [api, proxy] = await Promise.all([KubeApiServer.start(), ForwardProxy.start()]);
    api.addServiceAccount(NS, SA);
    janeToken = api.addTokenUser('jane');
    api.allow('jane', NS);
    proxy.hosts.set(CLUSTER_HOST, '127.0.0.1');
  });
  after(() => Promise.all([api.stop(), proxy.stop()]));
  beforeEach(() => {
    api.fault = 'none';
    api.overload(503, 0);
    api.requests.length = 0;
    proxy.requests.length = 0;
    proxy.requiredAuthorization = undefined;
  });

  async function kubeContext(
    cluster: Partial<KubeconfigCluster> = {},
    options: { timeoutMs?: number; outboundProxy?: OutboundProxy } = {},
  ): Promise<ProviderContext> {
    const path = await writeKubeconfig(join(tmp.path, 'config'), {
      clusters: [{ ...api.cluster('emu'), ...cluster }],
      users: [{ name: 'jane', token: janeToken }],
      contexts: [{ name: 'emu', cluster: 'emu', user: 'jane', namespace: NS }],
      currentContext: 'emu',
    });
    return {
      ...testContext({
        env: { KUBECONFIG: path },
        homeDir: tmp.path,
        timeoutMs: options.timeoutMs ?? 5000,
        runner: nodeProcessRunner,
      }),
      parseYaml,
      ...(options.outboundProxy ? { outboundProxy: options.outboundProxy } : {}),
    };
  }
  const mint = (ctx: ProviderContext) =>
    kubernetesProvider.mint(
      { id: 'k8s', kind: 'kubernetes', settings: { serviceAccount: SA } },
      { audience: AUDIENCE },
      ctx,
    );
  const tokenRequests = () => api.requests.filter((r) => r.path.endsWith('/token')).length;

  describe('retries', () => {
    it('rides out an API server that refuses connections at first (a restart)', async () => {
      const ctx = await kubeContext();
      await api.refuseConnectionsFor(600);
      const started = Date.now();
      assert.ok((await mint(ctx)).token);
      // client-go's artificial Retry-After for a retryable error is 1 s.
      assert.ok(Date.now() - started >= 900, `${Date.now() - started} ms`);
      assert.equal(tokenRequests(), 1);
    });

    it('retries a 503 whose Retry-After says when, waiting that long', async () => {
      api.overload(503, 1, 1);
      const started = Date.now();
      assert.ok((await mint(await kubeContext())).token);
      assert.ok(Date.now() - started >= 900);
      assert.equal(tokenRequests(), 2);
    });

    it('retries 429 (priority and fairness) with Retry-After, also 500 and 504 with it', async () => {
      for (const status of [429, 500, 504] as const) {
        api.requests.length = 0;
        api.overload(status, 2, 0);
        assert.ok((await mint(await kubeContext())).token, String(status));
        assert.equal(tokenRequests(), 3, String(status));
      }
    });

    it('takes an answer without Retry-After as final, as client-go does', async () => {
      api.overload(503, 1);
      await rejectsWith(mint(await kubeContext()), 'http-status', /503/);
      assert.equal(tokenRequests(), 1);
    });

    it('does not send a TokenRequest again after a reset (client-go retries only GETs then)', async () => {
      api.fault = 'reset';
      await rejectsWith(mint(await kubeContext()), 'network', /reset/);
      assert.equal(tokenRequests(), 1);
    });

    it('an API server that never recovers: stops within the configured timeout', async () => {
      api.overload(503, Infinity, 1);
      const started = Date.now();
      await rejectsWith(mint(await kubeContext({}, { timeoutMs: 2500 })), 'http-status', /503/);
      const elapsed = Date.now() - started;
      // Attempts at 0, 1 and 2 s; the next pause would end past 2.5 s.
      assert.equal(tokenRequests(), 3);
      assert.ok(elapsed < 2500, `${elapsed} ms`);
    });

    it('a port where nothing ever listens: retried, then explained, within the timeout', async () => {
      const port = await closedPort();
      const started = Date.now();
      await rejectsWith(
        mint(await kubeContext({ server: `https://127.0.0.1:${port}` }, { timeoutMs: 1500 })),
        'network',
        /connection refused/,
      );
      assert.ok(Date.now() - started < 1500);
    });
  });

  describe('proxies', () => {
    const viaName = () => ({ server: `https://${CLUSTER_HOST}:${new URL(api.url).port}` });

    it('proxy-url: tunnels with CONNECT, loopback included, and checks the cluster CA', async () => {
      assert.ok((await mint(await kubeContext({ proxyUrl: proxy.url }))).token);
      assert.deepEqual(
        proxy.requests.map((r) => [r.method, r.target, r.status]),
        [['CONNECT', `127.0.0.1:${new URL(api.url).port}`, 200]],
      );
      // The tunnel does not weaken TLS: a CA that did not sign the server is still refused.
      const other = await KubeApiServer.start();
      try {
        await rejectsWith(
          mint(await kubeContext({ proxyUrl: proxy.url, certificateAuthorityData: other.caPem })),
          'network',
          /not signed by the CA in your kubeconfig/,
        );
      } finally {
        await other.stop();
      }
    });

    it('proxy-url wins over HTTPS_PROXY and NO_PROXY, as in client-go', async () => {
      const outboundProxy: OutboundProxy = {
        httpsProxy: 'http://127.0.0.1:9',
        noProxy: ['*'],
        strictSSL: true,
        origin: 'the environment variable HTTPS_PROXY',
      };
      assert.ok(
        (await mint(await kubeContext({ ...viaName(), proxyUrl: proxy.url }, { outboundProxy })))
          .token,
      );
      assert.equal(proxy.requests.length, 1);
    });

    it('HTTPS_PROXY and NO_PROXY when there is no proxy-url', async () => {
      const outboundProxy: OutboundProxy = {
        httpsProxy: proxy.url,
        noProxy: [],
        strictSSL: true,
        origin: 'the environment variable HTTPS_PROXY',
      };
      assert.ok((await mint(await kubeContext(viaName(), { outboundProxy }))).token);
      assert.deepEqual(
        proxy.requests.map((r) => r.target),
        [`${CLUSTER_HOST}:${new URL(api.url).port}`],
      );
      // NO_PROXY: directly, where the name does not resolve.
      await rejectsWith(
        mint(
          await kubeContext(viaName(), {
            outboundProxy: { ...outboundProxy, noProxy: ['.svc'] },
          }),
        ),
        'network',
        /could not be resolved/,
      );
      // A loopback server never takes the environment's proxy.
      assert.ok((await mint(await kubeContext({}, { outboundProxy }))).token);
      assert.equal(proxy.requests.length, 1);
    });

    it('explains a proxy that is down or wants credentials, naming proxy-url', async () => {
      const port = await closedPort();
      await rejectsWith(
        mint(await kubeContext({ proxyUrl: `http://127.0.0.1:${port}` }, { timeoutMs: 1000 })),
        'network',
        new RegExp(
          `the proxy http://127\\.0\\.0\\.1:${port} \\(from "proxy-url" of cluster "emu" in .*\\) could not be reached: connection refused`,
        ),
      );
      proxy.requiredAuthorization = `Basic ${Buffer.from('jane:pw').toString('base64')}`;
      await rejectsWith(
        mint(await kubeContext({ proxyUrl: proxy.url })),
        'network',
        /asks for credentials \(HTTP 407.*user name and password into "proxy-url"/,
      );
      const withUser = proxy.url.replace('http://', 'http://jane:pw@');
      assert.ok((await mint(await kubeContext({ proxyUrl: withUser }))).token);
    });

    it('proxy-url socks5:// (an ssh -D tunnel): connects through SOCKS5, TLS checked', async () => {
      const socks = await SocksProxy.start();
      socks.hosts.set(CLUSTER_HOST, '127.0.0.1');
      try {
        assert.ok((await mint(await kubeContext({ proxyUrl: socks.url }))).token);
        assert.ok((await mint(await kubeContext({ ...viaName(), proxyUrl: socks.url }))).token);
        assert.deepEqual(socks.connects, [
          `127.0.0.1:${new URL(api.url).port}`,
          `${CLUSTER_HOST}:${new URL(api.url).port}`,
        ]);
      } finally {
        await socks.stop();
      }
      const port = await closedPort();
      await rejectsWith(
        mint(await kubeContext({ proxyUrl: `socks5://127.0.0.1:${port}` }, { timeoutMs: 1000 })),
        'network',
        /the proxy socks5:\/\/127\.0\.0\.1:\d+ \(from "proxy-url".*could not be reached: connection refused/,
      );
    });

    it('refuses a proxy-url scheme client-go does not take', async () => {
      await rejectsWith(
        mint(await kubeContext({ proxyUrl: 'ftp://proxy:21' })),
        'bad-config',
        /"proxy-url" of cluster "emu".*scheme "ftp"/,
      );
    });
  });
});
