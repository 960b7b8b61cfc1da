// Token cache figures: the cost of a cached get, and single-flight under 1,000 concurrent gets.
import { TokenCache } from '../src/core/cache/tokenCache';
import { systemClock } from '../src/core/ports';
import type { Account } from '../src/core/providers/provider';
import { TokenService } from '../src/core/tokenService';
import { MetadataServer } from '../test/emulators/google/metadataServer';
import { benchContext, googleProviders } from './context';
import { row, timeAsync } from './report';

const AUDIENCE = 'https://bench-abc123-ew.a.run.app';
const CACHED_GETS = 200_000;
const CONCURRENT_GETS = 1000;

/** Prints the cached-get and single-flight rows; starts and stops its own metadata server. */
export async function benchCache(): Promise<void> {
  const server = await MetadataServer.start();
  try {
    const context = benchContext({ GCE_METADATA_HOST: server.host });
    const account: Account = { id: 'bench-metadata', kind: 'google-metadata', settings: {} };

    const cache = new TokenCache(systemClock);
    const service = new TokenService(googleProviders, cache, () => context);
    await service.get(account, AUDIENCE);
    const serviceMs = await timeAsync(async () => {
      for (let i = 0; i < CACHED_GETS; i++) await service.get(account, AUDIENCE);
    });
    row(
      `TokenService.get, cached (mean of ${CACHED_GETS.toLocaleString('en')})`,
      `${((serviceMs / CACHED_GETS) * 1000).toFixed(2)} µs`,
      '≤ 100 µs',
    );
    const minted = await service.get(account, AUDIENCE);
    const mint = () => Promise.resolve(minted.token);
    const cacheMs = await timeAsync(async () => {
      for (let i = 0; i < CACHED_GETS; i++) await cache.get('bench-metadata\u0000aud', mint);
    });
    row(
      `TokenCache.get, cached (mean of ${CACHED_GETS.toLocaleString('en')})`,
      `${((cacheMs / CACHED_GETS) * 1000).toFixed(2)} µs`,
      '≤ 100 µs',
    );

    const cold = new TokenService(googleProviders, new TokenCache(systemClock), () => context);
    const before = server.requestCount;
    const issued = await Promise.all(
      Array.from({ length: CONCURRENT_GETS }, () => cold.get(account, AUDIENCE)),
    );
    const distinct = new Set(issued.map((i) => i.token.token)).size;
    row(
      `${CONCURRENT_GETS.toLocaleString('en')} concurrent gets, one key: upstream requests`,
      `${server.requestCount - before} (${distinct} token${distinct === 1 ? '' : 's'})`,
      '1',
    );
  } finally {
    await server.stop();
  }
}
