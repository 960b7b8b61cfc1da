import * as assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import { networkInterfaces } from 'node:os';
import { AuthProxy, joinTarget } from '../../../../src/core/proxy/authProxy';
import { isLoopbackAddress, isLoopbackHost } from '../../../../src/core/proxy/loopback';
import type { TokenHeader } from '../../../../src/core/proxy/loopback';
import { systemClock } from '../../../../src/core/ports';
import type { Logger } from '../../../../src/core/ports';
import { ProxyTarget } from '../../../emulators/proxyTarget';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    error: (m) => lines.push(m),
  };
}

/** One raw request through Node's http client, with the body read as it streams. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('AuthProxy', () => {
  let target: ProxyTarget;
  let proxy: AuthProxy | undefined;
  let logger: ReturnType<typeof recordingLogger>;
  let tokens: string[];

  async function startProxy(header: TokenHeader = 'Authorization', path = '') {
    let n = 0;
    proxy = await AuthProxy.start({
      target: new URL(`${target.url}${path}`),
      header,
      port: 0,
      token: () => Promise.resolve(`token-${++n}-${'s'.repeat(20)}`),
      logger,
      clock: systemClock,
      diagnose: ({ status, headers }) =>
        status === 401 && headers['www-authenticate'] ? 'the target rejected the token' : undefined,
    });
    tokens = [];
    target.onRequest = (req) => tokens.push(String(req.headers[header.toLowerCase()] ?? ''));
    return proxy;
  }

  beforeEach(async () => {
    target = await ProxyTarget.start();
    logger = recordingLogger();
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
    await target.stop();
  });

  it('forwards with a fresh token per request in place of the client header', async () => {
    const p = await startProxy();
    const first = await send(`${p.url}/echo?x=1`, {
      headers: { authorization: 'Bearer client-sent', 'x-other': 'kept' },
    });
    const second = await send(`${p.url}/echo`);
    assert.equal(first.status, 200);
    const echoed = JSON.parse(first.body) as { headers: IncomingHttpHeaders; url: string };
    assert.equal(echoed.headers.authorization, `Bearer token-1-${'s'.repeat(20)}`);
    assert.equal(echoed.headers['x-other'], 'kept');
    assert.equal(echoed.url, '/echo?x=1');
    assert.equal(echoed.headers.host, new URL(target.url).host);
    assert.deepEqual(tokens, [
      `Bearer token-1-${'s'.repeat(20)}`,
      `Bearer token-2-${'s'.repeat(20)}`,
    ]);
    assert.equal(JSON.parse(second.body).headers.authorization, tokens[1]);
  });

  for (const header of ['X-Serverless-Authorization', 'Proxy-Authorization'] as const) {
    it(`puts the token in ${header}, replacing any spelling the client sent, and keeps Authorization`, async () => {
      const p = await startProxy(header);
      const reply = await send(`${p.url}/echo`, {
        headers: { [header.toUpperCase()]: 'Bearer forged', authorization: 'Bearer app-own' },
      });
      const echoed = JSON.parse(reply.body) as { headers: IncomingHttpHeaders; raw: string[] };
      assert.equal(echoed.headers[header.toLowerCase()], `Bearer token-1-${'s'.repeat(20)}`);
      assert.equal(echoed.headers.authorization, 'Bearer app-own');
      const sent = echoed.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      assert.equal(sent.filter((n) => n === header.toLowerCase()).length, 1);
    });
  }

  it('appends the client path to the target path prefix', () => {
    assert.equal(
      joinTarget(new URL('https://run.app/mcp/'), '/a/b?q=1').href,
      'https://run.app/mcp/a/b?q=1',
    );
    assert.equal(joinTarget(new URL('https://run.app'), '/').href, 'https://run.app/');
    assert.equal(
      joinTarget(new URL('https://run.app/base'), '/x?a=1?b').href,
      'https://run.app/base/x?a=1?b',
    );
  });

  it('streams a request body to the target and the echo back', async () => {
    const p = await startProxy('Authorization', '/prefix');
    const body = 'x'.repeat(256 * 1024);
    const reply = await send(`${p.url}/upload`, { method: 'POST', body });
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), { path: '/prefix/upload', received: body.length });
  });

  it('passes each Server-Sent Event on as the target writes it, before the stream ends', async () => {
    const p = await startProxy();
    const arrivals: { text: string; releasedBefore: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      request(`${p.url}/sse`, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          arrivals.push({ text: chunk, releasedBefore: target.sseReleased });
          // The target writes the next event only after we have seen this one.
          target.releaseNextEvent();
        });
        res.on('end', resolve);
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    const events = arrivals
      .map((a) => a.text)
      .join('')
      .split('\n\n')
      .filter(Boolean);
    assert.deepEqual(events, ['data: 1', 'data: 2', 'data: 3']);
    // Each event arrived while the target still held the next one back: nothing was buffered.
    assert.ok(arrivals.length >= 3);
    assert.deepEqual(
      arrivals.slice(0, 3).map((a) => a.releasedBefore),
      [0, 1, 2],
    );
  });

  it('passes a 401 from the target through with its body and WWW-Authenticate, and diagnoses it', async () => {
    const p = await startProxy();
    const reply = await send(`${p.url}/denied`);
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['www-authenticate'], 'Bearer error="invalid_token"');
    assert.equal(reply.body, 'Your client does not have permission.');
    assert.ok(
      logger.lines.some((l) => /GET \/denied → 401 .*the target rejected the token/.test(l)),
    );
  });

  it("diagnoses a 401 with Call Service's rules by default, without quoting the token", async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ email: 'caller@p.iam.gserviceaccount.com' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://accounts.google.com')
      .setAudience(target.url)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(privateKey);
    proxy = await AuthProxy.start({
      target: new URL(target.url),
      header: 'Authorization',
      port: 0,
      token: () => Promise.resolve(token),
      logger,
      clock: systemClock,
    });
    const reply = await send(`${proxy.url}/denied`);
    assert.equal(reply.status, 401);
    const [line] = logger.lines;
    assert.match(line ?? '', /^proxy GET \/denied → 401 in \d+ ms \(.*expired.*\)$/i);
    for (const part of token.split('.')) assert.ok(!line?.includes(part));
  });

  it('logs one line per request without headers, query or token', async () => {
    const p = await startProxy();
    await send(`${p.url}/echo?secret=query-value`, { headers: { cookie: 'session=abc' } });
    await send(`${p.url}/denied`);
    assert.equal(logger.lines.length, 2);
    assert.match(logger.lines[0] ?? '', /^proxy GET \/echo → 200 in \d+ ms$/);
    const all = logger.lines.join('\n');
    for (const secret of ['token-1', 'token-2', 'sssss', 'query-value', 'session=abc', 'Bearer']) {
      assert.ok(!all.includes(secret), `log holds ${secret}`);
    }
  });

  it('answers 502 with the reason when no token can be had, and logs no token', async () => {
    proxy = await AuthProxy.start({
      target: new URL(target.url),
      header: 'Authorization',
      port: 0,
      token: () => Promise.reject(new Error('the metadata server answered 403')),
      logger,
      clock: systemClock,
    });
    const reply = await send(`${proxy.url}/echo`);
    assert.equal(reply.status, 502);
    assert.match(reply.body, /could not get an ID token .*metadata server answered 403/);
    assert.equal(target.requests, 0);
  });

  it('answers 502 when the target cannot be reached', async () => {
    const p = await startProxy();
    const url = target.url;
    await target.stop();
    target = await ProxyTarget.start();
    await p.stop();
    proxy = await AuthProxy.start({
      target: new URL(url),
      header: 'Authorization',
      port: 0,
      token: () => Promise.resolve('t'),
      logger,
      clock: systemClock,
    });
    const reply = await send(`${proxy.url}/echo`);
    assert.equal(reply.status, 502);
    assert.match(reply.body, /could not reach .*ECONNREFUSED/);
  });

  it('refuses requests whose Host or Origin is not a loopback name (DNS rebinding)', async () => {
    const p = await startProxy();
    const rebound = await send(`${p.url}/echo`, { headers: { host: 'evil.example:8080' } });
    assert.equal(rebound.status, 403);
    const crossSite = await send(`${p.url}/echo`, { headers: { origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403);
    const local = await send(`${p.url}/echo`, { headers: { origin: 'http://localhost:3000' } });
    assert.equal(local.status, 200);
    assert.equal(target.requests, 1);
  });

  it('drops a connection that comes from a non-loopback address of this machine', async function () {
    // A socket bound to the machine's LAN address can connect to 127.0.0.1: its remote address
    // is then that LAN address, which is what "not a loopback client" means for the proxy.
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
    if (!lan) this.skip();
    const p = await startProxy();
    const port = Number(new URL(p.url).port);
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: lan });
      let received = '';
      socket.on('connect', () =>
        socket.write(`GET /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
      );
      socket.on('data', (d) => (received += String(d)));
      socket.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
      socket.on('close', () => resolve(received === '' ? 'closed without reply' : received));
    });
    assert.match(outcome, /^(closed without reply|error ECONNRESET)$/);
    assert.equal(target.requests, 0);
    assert.ok(logger.lines.some((l) => l.includes(`refused a connection from ${lan}`)));
  });
});

describe('loopback checks', () => {
  it('accepts 127/8, ::1 and their IPv4-mapped forms only', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '::ffff:127.0.0.1']) {
      assert.ok(isLoopbackAddress(a), a);
    }
    for (const a of [
      '192.0.2.2',
      '::ffff:192.0.2.2',
      '10.0.0.1',
      '0.0.0.0',
      '::',
      'fe80::1',
      '128.0.0.1',
      '1127.0.0.1',
      '',
    ]) {
      assert.ok(!isLoopbackAddress(a), a);
    }
  });

  it('accepts loopback Host names with or without a port', () => {
    for (const h of [
      'localhost',
      'localhost:8080',
      'LOCALHOST',
      'app.localhost:1',
      '127.0.0.1:9',
      '[::1]:80',
      '[::1]',
    ]) {
      assert.ok(isLoopbackHost(h), h);
    }
    for (const h of [
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      '[::2]:80',
      '',
      ':80',
    ]) {
      assert.ok(!isLoopbackHost(h), h);
    }
  });
});
