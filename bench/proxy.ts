// The local authenticating proxy's cost: the same requests to a local service, direct and through
// the proxy, in one run. The proxy's token comes from a warm token cache, as it does in use.
import { Agent, request } from 'node:http';
import { TokenCache, cacheKey } from '../src/core/cache/tokenCache';
import { systemClock } from '../src/core/ports';
import { AuthProxy } from '../src/core/proxy/authProxy';
import { ProxyTarget } from '../test/emulators/proxyTarget';
import { median, percentile, row } from './report';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** One GET with a kept-alive connection, body read; milliseconds. */
function timedGet(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - start));
    })
      .on('error', reject)
      .end();
  });
}

export async function benchProxy(): Promise<void> {
  const target = await ProxyTarget.start();
  const cache = new TokenCache(systemClock);
  const token = { token: `eyJ.${'x'.repeat(900)}.sig`, expiresAt: Date.now() + 3_600_000 };
  const proxy = await AuthProxy.start({
    target: new URL(target.url),
    header: 'Authorization',
    port: 0,
    token: async () =>
      (await cache.get(cacheKey('bench', target.url), () => Promise.resolve(token))).token.token,
    logger: quiet,
    clock: systemClock,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const runs = 400;
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let i = 0; i < 50; i++) {
      await timedGet(`${target.url}/echo`, agent);
      await timedGet(`${proxy.url}/echo`, agent);
    }
    // Interleaved, so that load from other processes hits both alike.
    for (let i = 0; i < runs; i++) {
      direct.push(await timedGet(`${target.url}/echo`, agent));
      proxied.push(await timedGet(`${proxy.url}/echo`, agent));
    }
    const added = median(proxied) - median(direct);
    row('request direct to a local service (median)', `${median(direct).toFixed(3)} ms`);
    row('same request through the local proxy (median)', `${median(proxied).toFixed(3)} ms`);
    row('proxy: added latency per request (median)', `${added.toFixed(3)} ms`);
    row(
      'proxy: p90 direct / through proxy',
      `${percentile(direct, 0.9).toFixed(2)} / ${percentile(proxied, 0.9).toFixed(2)} ms`,
    );
  } finally {
    agent.destroy();
    await proxy.stop();
    await target.stop();
  }
}
