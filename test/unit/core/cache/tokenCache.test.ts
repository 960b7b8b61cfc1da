import * as assert from 'node:assert/strict';
import { TokenCache, cacheKey } from '../../../../src/core/cache/tokenCache';
import type { MintedToken } from '../../../../src/core/providers/provider';
import { FrozenClock } from '../../../helpers/context';

const MIN = 60_000;

/** An upstream that counts calls and can be told to fail or to hold its answer. */
class Upstream {
  calls = 0;
  fail: Error | undefined;
  private release: (() => void) | undefined;
  hold = false;

  constructor(private readonly clock: FrozenClock) {}

  mint = async (): Promise<MintedToken> => {
    this.calls++;
    const n = this.calls;
    if (this.hold) await new Promise<void>((resolve) => (this.release = resolve));
    await Promise.resolve();
    if (this.fail) throw this.fail;
    return { token: `token-${n}`, expiresAt: this.clock.now() + 60 * MIN };
  };

  releaseAll(): void {
    this.hold = false;
    this.release?.();
  }
}

describe('TokenCache', () => {
  let clock: FrozenClock;
  let upstream: Upstream;
  let cache: TokenCache;
  const key = cacheKey('acct', 'https://aud');

  beforeEach(() => {
    clock = new FrozenClock(1_800_000_000_000);
    upstream = new Upstream(clock);
    cache = new TokenCache(clock);
  });

  it('mints once and serves the cached token while valid', async () => {
    const first = await cache.get(key, upstream.mint);
    assert.deepEqual([first.token.token, first.fromCache], ['token-1', false]);
    clock.ms += 50 * MIN;
    const second = await cache.get(key, upstream.mint);
    assert.deepEqual([second.token.token, second.fromCache], ['token-1', true]);
    assert.equal(upstream.calls, 1);
  });

  it('keys by account and audience', async () => {
    await cache.get(cacheKey('acct', 'a'), upstream.mint);
    await cache.get(cacheKey('acct', 'b'), upstream.mint);
    await cache.get(cacheKey('other', 'a'), upstream.mint);
    assert.equal(upstream.calls, 3);
  });

  it('refreshes eagerly in the last 5 minutes while still serving the old token', async () => {
    await cache.get(key, upstream.mint);
    clock.ms += 56 * MIN;
    const served = await cache.get(key, upstream.mint);
    assert.deepEqual([served.token.token, served.fromCache], ['token-1', true]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(upstream.calls, 2);
    assert.equal((await cache.get(key, upstream.mint)).token.token, 'token-2');
  });

  it('never hands out a token with less than the minimum life left', async () => {
    await cache.get(key, upstream.mint);
    clock.ms += 59 * MIN + 30_000;
    const got = await cache.get(key, upstream.mint);
    assert.deepEqual([got.token.token, got.fromCache], ['token-2', false]);
    assert.equal(cache.peek(key)?.token, 'token-2');
  });

  it('shares one upstream call among 1,000 concurrent gets', async () => {
    upstream.hold = true;
    const gets = Array.from({ length: 1000 }, () => cache.get(key, upstream.mint));
    await Promise.resolve();
    upstream.releaseAll();
    const results = await Promise.all(gets);
    assert.equal(upstream.calls, 1);
    assert.ok(results.every((r) => r.token.token === 'token-1'));
  });

  it('keeps the old token when a refresh fails, and reports the error', async () => {
    await cache.get(key, upstream.mint);
    upstream.fail = new Error('upstream 500');
    clock.ms += 56 * MIN;
    await cache.get(key, upstream.mint);
    await new Promise((resolve) => setImmediate(resolve));
    const [view] = cache.list();
    assert.equal(view?.token?.token, 'token-1');
    assert.match(String(view?.lastError), /upstream 500/);
    const forced = await cache.get(key, upstream.mint).catch((e: unknown) => e);
    assert.equal((forced as { token: MintedToken }).token.token, 'token-1');
    assert.match(String((forced as { refreshError: unknown }).refreshError), /upstream 500/);
  });

  it('rejects once the old token is within the minimum life and the refresh fails', async () => {
    await cache.get(key, upstream.mint);
    upstream.fail = new Error('upstream down');
    clock.ms += 59.5 * MIN;
    await assert.rejects(cache.get(key, upstream.mint), /upstream down/);
    clock.ms += MIN;
    await assert.rejects(cache.get(key, upstream.mint), /upstream down/);
    assert.equal(cache.list()[0]?.token, undefined, 'an expired token is dropped');
  });

  it('force mints a new token even when the cached one is valid', async () => {
    await cache.get(key, upstream.mint);
    const forced = await cache.get(key, upstream.mint, true);
    assert.deepEqual([forced.token.token, forced.fromCache], ['token-2', false]);
  });

  it('notifies listeners and forgets removed accounts', async () => {
    const seen: string[] = [];
    const subscription = cache.onDidChange((k) => seen.push(k));
    await cache.get(key, upstream.mint);
    cache.deletePrefix(cacheKey('acct', ''));
    subscription.dispose();
    await cache.get(key, upstream.mint);
    assert.deepEqual(seen, [key, key]);
    assert.equal(cache.list().length, 1);
  });

  it('clears the errors of one account, keeping its tokens, and drops rows left with nothing', async () => {
    const other = cacheKey('acct', 'https://other');
    const elsewhere = cacheKey('acct2', 'https://aud');
    await cache.get(key, upstream.mint);
    upstream.fail = new Error('issuer not running');
    clock.ms += 56 * MIN;
    await cache.get(key, upstream.mint);
    await new Promise((resolve) => setImmediate(resolve));
    await assert.rejects(cache.get(other, upstream.mint), /issuer not running/);
    await assert.rejects(cache.get(elsewhere, upstream.mint), /issuer not running/);
    const seen: string[] = [];
    const subscription = cache.onDidChange((k) => seen.push(k));
    cache.clearErrors(cacheKey('acct', ''));
    subscription.dispose();
    assert.deepEqual(seen.sort(), [key, other].sort());
    assert.deepEqual(
      cache.list().map((v) => [v.key, v.token?.token, v.lastError !== undefined]),
      [
        [key, 'token-1', false],
        [elsewhere, undefined, true],
      ],
    );
  });
});
