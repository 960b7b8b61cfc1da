import * as assert from 'node:assert/strict';
import { sendCall } from '../../../../src/core/call/send';
import { tokenTransport, parseServiceUrl } from '../../../../src/core/call/target';
import type { CallRequest } from '../../../../src/core/call/types';
import { diagnose } from '../../../../src/core/call/diagnose';
import { GoogleApis } from '../../../emulators/google/googleApis';
import { KubeApiServer } from '../../../emulators/kubernetes/apiServer';
import { BIG_BODY_BYTES, OidcApi } from '../../../emulators/services/oidcApi';
import { rejectsWith } from '../../helpers/assertions';
import { closedPort } from '../../helpers/fixtures';

const clock = { now: () => Date.now() };
const options = { timeoutMs: 3000, maxBodyBytes: 64 * 1024, clock };

function request(url: string, extra: Partial<CallRequest> = {}): CallRequest {
  return { method: 'GET', url, headerForm: 'authorization', headers: {}, ...extra };
}

describe('sendCall', () => {
  let apis: GoogleApis;
  let api: OidcApi;

  before(async () => {
    apis = await GoogleApis.start();
    api = await OidcApi.start({ jwksUrl: apis.jwksUrl, issuer: apis.issuer });
  });
  after(async () => {
    await api.stop();
    await apis.stop();
  });

  it('sends the token in the chosen header and reports status, timing and the challenge', async () => {
    const result = await sendCall(fetch, request(`${api.url}/items`), 'not-a-jwt', options);
    assert.equal(result.status, 401);
    assert.match(result.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    assert.equal(result.headers['content-type'], 'application/json');
    assert.ok(result.elapsedMs >= 0);
    const { findings } = diagnose({
      token: 'not-a-jwt',
      url: `${api.url}/items`,
      nowSeconds: Date.now() / 1000,
      clockSkewSeconds: 60,
      response: result,
    });
    assert.ok(
      findings.some((f) => f.rule === 'challenge' && /The token is not a JWT/.test(f.title)),
    );
  });

  it('does not follow a redirect to another origin', async () => {
    const before = api.paths.length;
    const result = await sendCall(fetch, request(`${api.url}/redirect-elsewhere`), 'tok', options);
    assert.equal(result.status, 302);
    assert.equal(result.headers.location, 'http://127.0.0.2:9/collect');
    assert.equal(api.paths.length, before + 1, 'one request, no follow-up');
  });

  it('reads at most the limit of a 5 MB body and stops the download', async () => {
    api.bigBytesWritten = 0;
    const result = await sendCall(fetch, request(`${api.url}/big`), 'tok', options);
    assert.equal(result.status, 200);
    assert.equal(result.bodyBytesRead, 64 * 1024);
    assert.equal(result.bodyTruncated, true);
    assert.equal(result.bodyStart.length, 64 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(api.bigBytesWritten < BIG_BODY_BYTES, `server wrote ${api.bigBytesWritten} bytes`);
  });

  it('returns an HTML body as text, unchanged for the panel to show literally', async () => {
    const result = await sendCall(fetch, request(`${api.url}/html`), 'tok', options);
    assert.match(result.bodyStart, /^<h1>Hello<\/h1><img src=x onerror=/);
    assert.equal(result.headers['content-type'], 'text/html');
  });

  it('times out with a clear message', async () => {
    await rejectsWith(
      sendCall(fetch, request(`${api.url}/slow`), 'tok', { ...options, timeoutMs: 300 }),
      'timeout',
      /did not answer within 0\.3 s/,
    );
  });

  it('says when nothing listens, and when the host does not resolve', async () => {
    const port = await closedPort();
    await rejectsWith(
      sendCall(fetch, request(`http://127.0.0.1:${port}/`), 'tok', options),
      'network',
      /connection refused/,
    );
    await rejectsWith(
      sendCall(fetch, request('http://127.0.0.1:6000/'), 'tok', options),
      'network',
      /unsafe ports/,
    );
    await rejectsWith(
      sendCall(fetch, request('https://no-such-host.invalid/'), 'tok', options),
      'network',
      /could not be resolved/,
    );
  });

  it('reports a TLS certificate failure and never retries without TLS checks', async () => {
    const kube = await KubeApiServer.start();
    try {
      await rejectsWith(
        sendCall(fetch, request(`${kube.url}/`), 'tok', options),
        'network',
        /TLS failed: the server's certificate was rejected/,
      );
    } finally {
      await kube.stop();
    }
  });

  it('a call with no answer (refused, DNS, TLS, timeout) never ends in a green diagnosis', async () => {
    const port = await closedPort();
    const kube = await KubeApiServer.start();
    const token = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ iss: 'https://i', aud: 'http://127.0.0.1/', exp: Date.now() / 1000 + 600 }),
    ).toString('base64url')}.c2ln`;
    try {
      const targets: [string, number, RegExp][] = [
        [`http://127.0.0.1:${port}/`, 3000, /service is running/],
        ['https://no-such-host.invalid/', 3000, /DNS/],
        [`${kube.url}/`, 3000, /certificate/],
        [`${api.url}/slow`, 300, /timeoutSeconds/],
      ];
      for (const [url, timeoutMs, check] of targets) {
        const error = await sendCall(fetch, request(url), token, { ...options, timeoutMs }).then(
          () => assert.fail(`${url} answered`),
          (caught: { code: string; message: string }) => caught,
        );
        const { findings } = diagnose({
          token,
          url,
          nowSeconds: Date.now() / 1000,
          clockSkewSeconds: 60,
          noAnswer: { code: error.code, message: error.message },
        });
        assert.ok(findings.length > 0 && findings.every((f) => f.severity !== 'ok'), url);
        assert.equal(findings[0]?.severity, 'error', url);
        assert.ok(findings[0]?.evidence.includes(error.message), url);
        assert.match(findings[0]?.fix ?? '', check, url);
      }
    } finally {
      await kube.stop();
    }
  });

  it('rejects invalid URLs, schemes, credentials in URLs, methods and headers', async () => {
    await rejectsWith(
      sendCall(fetch, request('not a url'), 't', options),
      'bad-config',
      /is not a URL/,
    );
    await rejectsWith(
      sendCall(fetch, request('ftp://x.example/'), 't', options),
      'bad-config',
      /http\(s\) only/,
    );
    await rejectsWith(
      sendCall(fetch, request('https://u:p@x.example/'), 't', options),
      'bad-config',
      /user name or password/,
    );
    await rejectsWith(
      sendCall(fetch, request(api.url, { method: 'GE T' }), 't', options),
      'bad-config',
      /not an HTTP method/,
    );
    await rejectsWith(
      sendCall(fetch, request(api.url, { headers: { 'bad name': 'x' } }), 't', options),
      'bad-config',
      /not a valid HTTP header/,
    );
  });
});

describe('tokenTransport', () => {
  it('https anywhere; http only to loopback; anything else needs confirmation', () => {
    assert.equal(tokenTransport(parseServiceUrl('https://a.example')), 'https');
    for (const url of [
      'http://127.0.0.1:8080',
      'http://localhost/',
      'http://[::1]:3000',
      'http://127.9.9.9',
      'http://app.localhost',
    ]) {
      assert.equal(tokenTransport(parseServiceUrl(url)), 'loopback-http', url);
    }
    for (const url of [
      'http://10.0.0.5',
      'http://example.com',
      'http://127.0.0.1.nip.io',
      'http://localhost.example.com',
    ]) {
      assert.equal(tokenTransport(parseServiceUrl(url)), 'needs-confirmation', url);
    }
  });
});
