import * as assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { fetchJson } from '../../../../src/core/http';
import {
  bypassesProxy,
  isLoopbackHost,
  outboundProxyFromEnvironment,
  proxyFor,
} from '../../../../src/core/net/outboundProxy';
import type { OutboundProxy } from '../../../../src/core/net/outboundProxy';
import { proxiedFetch } from '../../../../src/core/net/proxiedFetch';
import { KubeApiServer } from '../../../emulators/kubernetes/apiServer';
import { ForwardProxy } from '../../../emulators/net/forwardProxy';
import { SocksProxy } from '../../../emulators/net/socksProxy';
import { ProxyTarget } from '../../../emulators/proxyTarget';
import { rejectsWith } from '../../helpers/assertions';

const SETTING = 'the VS Code setting http.proxy';

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('outbound proxy: which requests take it (NO_PROXY as curl and undici read it)', () => {
  const config = (noProxy: string[]): OutboundProxy => ({
    httpProxy: 'http://proxy.corp:3128',
    httpsProxy: 'http://proxy.corp:3128',
    noProxy,
    strictSSL: true,
    origin: SETTING,
  });
  const cases: [string, string[], boolean][] = [
    ['https://api.example.com/', ['*'], true],
    ['https://api.example.com/', ['example.com'], true],
    ['https://example.com/', ['example.com'], true],
    ['https://api.example.com/', ['.example.com'], true],
    ['https://example.com/', ['.example.com'], true],
    ['https://api.example.com/', ['*.example.com'], true],
    ['https://notexample.com/', ['example.com'], false],
    ['https://example.com.evil.net/', ['example.com'], false],
    ['https://API.Example.COM/', ['api.example.com'], true],
    ['https://api.example.com:8443/', ['api.example.com:8443'], true],
    ['https://api.example.com/', ['api.example.com:8443'], false],
    ['https://api.example.com/', ['api.example.com:443'], true],
    ['http://api.example.com/', ['api.example.com:80'], true],
    ['https://10.1.2.3/', ['10.0.0.0/8'], true],
    ['https://11.1.2.3/', ['10.0.0.0/8'], false],
    ['https://10.1.2.3/', ['10.1.2.3'], true],
    ['https://[2001:db8::5]/', ['2001:db8::/32'], true],
    ['https://[2001:db8::5]:8443/', ['[2001:db8::5]:8443'], true],
    ['https://[2001:db8::5]/', ['2001:db8::5'], true],
    ['https://api.example.com/', ['', ' ', 'other.org'], false],
  ];
  for (const [url, noProxy, bypassed] of cases) {
    it(`${url} with NO_PROXY ${JSON.stringify(noProxy)} → ${bypassed ? 'direct' : 'proxy'}`, () => {
      assert.equal(bypassesProxy(new URL(url), noProxy), bypassed);
      assert.equal(proxyFor(new URL(url), config(noProxy)) === undefined, bypassed);
    });
  }

  it('never proxies loopback (as VS Code and Go do), whatever NO_PROXY says', () => {
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.9.9.9', '[::1]']) {
      assert.ok(isLoopbackHost(host), host);
      assert.equal(proxyFor(new URL(`http://${host}:8080/`), config([])), undefined, host);
    }
    assert.ok(!isLoopbackHost('128.0.0.1'));
    assert.ok(!isLoopbackHost('localhost.example.com'));
  });

  it('reads HTTPS_PROXY for https and HTTP_PROXY for http, lower case first, NO_PROXY split', () => {
    const env: Record<string, string> = {
      HTTPS_PROXY: 'http://upper:1',
      https_proxy: 'http://lower:2',
      HTTP_PROXY: 'plain:3',
      NO_PROXY: 'a.example, b.example  c.example',
    };
    const proxy = outboundProxyFromEnvironment((name) => env[name]);
    assert.equal(proxyFor(new URL('https://x.org/'), proxy)?.proxy.href, 'http://lower:2/');
    // No scheme means http://, as curl and Go read it.
    assert.equal(proxyFor(new URL('http://x.org/'), proxy)?.proxy.href, 'http://plain:3/');
    assert.deepEqual(proxy.noProxy, ['a.example', 'b.example', 'c.example']);
    assert.match(proxy.origin, /https_proxy/);
    assert.equal(proxyFor(new URL('https://c.example/'), proxy), undefined);
    assert.equal(
      proxyFor(
        new URL('https://x.org/'),
        outboundProxyFromEnvironment(() => undefined),
      ),
      undefined,
    );
  });

  it('explains a proxy setting that is not a usable URL', () => {
    const bad = { ...config([]), httpsProxy: 'ftp://proxy:21' };
    assert.throws(() => proxyFor(new URL('https://x.org/'), bad), /scheme "ftp".*http:\/\//);
  });
});

describe('outbound proxy: requests through a real local proxy', () => {
  let proxy: ForwardProxy;
  let target: ProxyTarget;
  let kube: KubeApiServer;
  let current: OutboundProxy;
  const fetchVia = proxiedFetch(
    (input, init) => fetch(input, init),
    () => current,
  );
  // Only the proxy resolves these names (a network where DNS is the proxy's business).
  const HTTP_HOST = 'service.proxy-test.invalid';
  const TLS_HOST = 'kubernetes.default.svc';

  before(async () => {
    [proxy, target, kube] = await Promise.all([
      ForwardProxy.start(),
      ProxyTarget.start(),
      KubeApiServer.start(),
    ]);
    proxy.hosts.set(HTTP_HOST, '127.0.0.1');
    proxy.hosts.set(TLS_HOST, '127.0.0.1');
  });
  after(() => Promise.all([proxy.stop(), target.stop(), kube.stop()]));
  beforeEach(() => {
    proxy.requests.length = 0;
    proxy.requiredAuthorization = undefined;
    current = {
      httpProxy: proxy.url,
      httpsProxy: proxy.url,
      noProxy: [],
      strictSSL: true,
      origin: SETTING,
    };
  });

  const httpUrl = () => `http://${HTTP_HOST}:${new URL(target.url).port}/echo`;
  const httpsUrl = () => `https://${TLS_HOST}:${new URL(kube.url).port}/openid/v1/jwks`;

  it('sends an http:// request to the proxy in absolute form', async () => {
    const echoed = (await fetchJson(fetchVia, httpUrl(), 3000)) as { url: string };
    assert.equal(echoed.url, '/echo');
    assert.deepEqual(
      proxy.requests.map((r) => [r.method, r.target, r.status]),
      [['GET', httpUrl(), 200]],
    );
  });

  it('tunnels an https:// request with CONNECT; the TLS session is with the server', async () => {
    // The emulator's certificate is signed by a CA made at start, which Node does not trust:
    // with http.proxyStrictSSL off the request succeeds through the tunnel…
    current = { ...current, strictSSL: false };
    const jwks = (await fetchJson(fetchVia, httpsUrl(), 3000)) as { keys: unknown[] };
    assert.equal(jwks.keys.length, 1);
    assert.deepEqual(
      proxy.requests.map((r) => [r.method, r.target, r.status]),
      [['CONNECT', `${TLS_HOST}:${new URL(kube.url).port}`, 200]],
    );
    // …and with it on, the certificate is refused and explained as such, not blamed on the proxy.
    current = { ...current, strictSSL: true };
    const error = await rejectsWith(
      fetchJson(fetchVia, httpsUrl(), 3000),
      'network',
      /not signed by a CA this computer trusts/,
    );
    assert.doesNotMatch(error.message, /the proxy http/);
  });

  it('goes directly to hosts in NO_PROXY (here: a name only the proxy can resolve)', async () => {
    current = { ...current, noProxy: ['.proxy-test.invalid'] };
    await rejectsWith(fetchJson(fetchVia, httpUrl(), 3000), 'network', /could not be resolved/);
    assert.equal(proxy.requests.length, 0);
  });

  it('reads the configuration at every request', async () => {
    await fetchJson(fetchVia, httpUrl(), 3000);
    current = { ...current, httpProxy: undefined };
    await rejectsWith(fetchJson(fetchVia, httpUrl(), 3000), 'network', /could not be resolved/);
    assert.equal(proxy.requests.length, 1);
  });

  for (const scheme of ['http', 'https'] as const) {
    it(`407 (${scheme}): names http.proxyAuthorization; with it set, the request goes through`, async () => {
      proxy.requiredAuthorization = `Basic ${Buffer.from('jane:s3cret').toString('base64')}`;
      current = { ...current, strictSSL: false };
      const url = scheme === 'http' ? httpUrl() : httpsUrl();
      const error = await rejectsWith(
        fetchJson(fetchVia, url, 3000),
        'network',
        /the proxy http:\/\/127\.0\.0\.1:\d+ \(from the VS Code setting http\.proxy\) asks for credentials \(HTTP 407/,
        /http\.proxyAuthorization/,
      );
      assert.equal(proxy.requests.length, 1, 'a 407 is not retried');
      assert.doesNotMatch(error.message, /s3cret/);

      current = { ...current, authorization: 'Basic d3Jvbmc6d3Jvbmc=' };
      const wrong = await rejectsWith(
        fetchJson(fetchVia, url, 3000),
        'network',
        /rejected the credentials of the VS Code setting http\.proxyAuthorization/,
      );
      assert.doesNotMatch(wrong.message, /d3Jvbmc6d3Jvbmc/);

      current = { ...current, authorization: proxy.requiredAuthorization };
      await fetchJson(fetchVia, url, 3000);
      assert.equal(proxy.requests.at(-1)?.proxyAuthorization, proxy.requiredAuthorization);
      assert.equal(proxy.requests.at(-1)?.status, 200);
    });
  }

  it('user:password in the proxy URL is sent as Basic credentials', async () => {
    proxy.requiredAuthorization = `Basic ${Buffer.from('jane:s3cret').toString('base64')}`;
    const withUser = proxy.url.replace('http://', 'http://jane:s3cret@');
    current = { ...current, httpProxy: withUser };
    await fetchJson(fetchVia, httpUrl(), 3000);
    assert.equal(proxy.requests.at(-1)?.status, 200);
  });

  it('a proxy that is down: the error names the proxy and its setting, not the server', async () => {
    const port = await closedPort();
    current = {
      ...current,
      httpProxy: `http://127.0.0.1:${port}`,
      httpsProxy: `http://u:pw@127.0.0.1:${port}`,
    };
    for (const url of [httpUrl(), httpsUrl()]) {
      const error = await rejectsWith(
        fetchJson(fetchVia, url, 1000),
        'network',
        new RegExp(
          `the proxy http://127\\.0\\.0\\.1:${port} \\(from the VS Code setting http\\.proxy\\) could not be reached: connection refused`,
        ),
      );
      assert.doesNotMatch(error.message, /pw@/);
    }
  });

  it('http.proxy socks5:// (an ssh -D tunnel): http and https go through SOCKS5, TLS checked', async () => {
    const socks = await SocksProxy.start();
    socks.hosts.set(HTTP_HOST, '127.0.0.1');
    socks.hosts.set(TLS_HOST, '127.0.0.1');
    try {
      current = { ...current, httpProxy: socks.url, httpsProxy: socks.url, strictSSL: false };
      const echoed = (await fetchJson(fetchVia, httpUrl(), 3000)) as { url: string };
      assert.equal(echoed.url, '/echo');
      const jwks = (await fetchJson(fetchVia, httpsUrl(), 3000)) as { keys: unknown[] };
      assert.equal(jwks.keys.length, 1);
      assert.deepEqual(socks.connects, [
        `${HTTP_HOST}:${new URL(target.url).port}`,
        `${TLS_HOST}:${new URL(kube.url).port}`,
      ]);
      assert.equal(proxy.requests.length, 0, 'the HTTP proxy is not used');
      // The TLS session is with the server, through the SOCKS tunnel: its CA is still checked.
      current = { ...current, strictSSL: true };
      await rejectsWith(
        fetchJson(fetchVia, httpsUrl(), 3000),
        'network',
        /not signed by a CA this computer trusts/,
      );
    } finally {
      await socks.stop();
    }
    const port = await closedPort();
    current = { ...current, httpProxy: `socks5://127.0.0.1:${port}` };
    await rejectsWith(
      fetchJson(fetchVia, httpUrl(), 1000),
      'network',
      /the proxy socks5:\/\/127\.0\.0\.1:\d+ \(from the VS Code setting http\.proxy\) could not be reached: connection refused/,
    );
  });

  it('a proxy that cannot reach the server: the tunnel refusal is explained', async () => {
    const port = await closedPort();
    await rejectsWith(
      fetchJson(fetchVia, `https://${TLS_HOST}:${port}/`, 1000),
      'network',
      /would not connect to kubernetes\.default\.svc:\d+ \(it answered HTTP 502\)/,
    );
  });
});
