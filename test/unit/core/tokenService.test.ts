import * as assert from 'node:assert/strict';
import { TokenCache } from '../../../src/core/cache/tokenCache';
import type {
  Account,
  MintRequest,
  MintedToken,
  Provider,
  ProviderContext,
  ProviderKind,
} from '../../../src/core/providers/provider';
import { TokenService } from '../../../src/core/tokenService';
import { FrozenClock, testContext } from '../../helpers/context';
import { rejectsWith } from '../helpers/assertions';

const HOUR = 3_600_000;

/** A provider that records each mint and numbers its tokens. */
class CountingProvider implements Provider {
  readonly kind: ProviderKind = 'google-metadata';
  readonly label = 'counting';
  readonly mints: { accountId: string; request: MintRequest; context: ProviderContext }[] = [];
  constructor(private readonly clock: FrozenClock) {}
  async mint(
    account: Account,
    request: MintRequest,
    context: ProviderContext,
  ): Promise<MintedToken> {
    this.mints.push({ accountId: account.id, request, context });
    return { token: `token-${this.mints.length}`, expiresAt: this.clock.now() + HOUR };
  }
  validate(account: Account): string[] {
    return account.settings['broken'] ? ['The email is missing.', 'Pick a project.'] : [];
  }
  describe(account: Account): string {
    return account.id;
  }
}

describe('TokenService', () => {
  let clock: FrozenClock;
  let provider: CountingProvider;
  let context: ProviderContext;
  let service: TokenService;
  const account = (id: string, settings: Record<string, unknown> = {}): Account => ({
    id,
    kind: 'google-metadata',
    name: `Account ${id}`,
    settings,
  });

  beforeEach(() => {
    clock = new FrozenClock(1_800_000_000_000);
    provider = new CountingProvider(clock);
    context = testContext({ clock });
    service = new TokenService(
      new Map([[provider.kind, provider]]),
      new TokenCache(clock),
      () => context,
    );
  });

  it('mints through the provider with the audience and the current context, then serves the cache', async () => {
    const first = await service.get(account('a'), 'https://svc.example');
    assert.deepEqual(
      { token: first.token.token, accountId: first.accountId, audience: first.audience },
      { token: 'token-1', accountId: 'a', audience: 'https://svc.example' },
    );
    assert.equal(provider.mints[0]?.request.audience, 'https://svc.example');
    assert.equal(provider.mints[0]?.context, context);
    assert.equal((await service.get(account('a'), 'https://svc.example')).token.token, 'token-1');
    assert.equal(provider.mints.length, 1);
  });

  it('keys the cache by account and audience, and force mints again', async () => {
    await service.get(account('a'), 'x');
    await service.get(account('a'), 'y');
    await service.get(account('b'), 'x');
    assert.equal(provider.mints.length, 3);
    assert.equal((await service.get(account('a'), 'x', { force: true })).token.token, 'token-4');
  });

  it('reads the context fresh for every mint (settings may have changed)', async () => {
    await service.get(account('a'), 'x');
    const changed = testContext({ clock, timeoutMs: 1234 });
    context = changed;
    await service.get(account('b'), 'x');
    assert.equal(provider.mints[1]?.context.timeoutMs, 1234);
  });

  it('passes the cancellation signal on', async () => {
    const controller = new AbortController();
    await service.get(account('a'), 'x', { signal: controller.signal });
    assert.equal(provider.mints[0]?.request.signal, controller.signal);
  });

  it('refuses an account its provider finds not set up right, naming every problem', async () => {
    await rejectsWith(
      service.get(account('bad', { broken: true }), 'x'),
      'bad-config',
      /"Account bad" is not set up right: The email is missing\. Pick a project\./,
    );
    assert.equal(provider.mints.length, 0);
  });

  it('refuses a kind no provider serves', async () => {
    await rejectsWith(
      service.get({ ...account('k'), kind: 'yandex-cli' }, 'x'),
      'bad-config',
      /No provider for accounts of kind "yandex-cli"/,
    );
  });

  it('remembers the latest token, lists audiences per account, and forgets an account', async () => {
    assert.equal(service.latest(), undefined);
    await service.get(account('a'), 'x');
    await service.get(account('a'), 'y');
    await service.get(account('ab'), 'z');
    assert.equal(service.latest()?.accountId, 'ab');
    assert.deepEqual(
      service.audiences('a').map((state) => [state.audience, state.token?.token]),
      [
        ['x', 'token-1'],
        ['y', 'token-2'],
      ],
    );
    service.forget('ab');
    assert.equal(service.latest(), undefined);
    assert.deepEqual(service.audiences('ab'), []);
    assert.equal(service.audiences('a').length, 2, 'an account whose id is a prefix is kept');
  });
});
