import type { CachedToken, TokenCache } from './cache/tokenCache';
import { cacheKey } from './cache/tokenCache';
import { TokenExplorerError } from './errors';
import { assertSettingsValid } from './providers/settings';
import type {
  Account,
  MintedToken,
  Provider,
  ProviderContext,
  ProviderKind,
} from './providers/provider';

/** A token handed out, with the account and audience it is for. */
export interface IssuedToken extends CachedToken {
  readonly accountId: string;
  readonly audience: string;
}

/** One audience an account has minted for, with its token or last error. */
export interface AudienceState {
  readonly audience: string;
  readonly token?: MintedToken;
  readonly lastError?: unknown;
}

/**
 * Gets ID tokens: finds the account's provider, checks its settings, and mints through the cache.
 * Remembers the most recent token for the status bar.
 */
export class TokenService {
  private latestIssued: IssuedToken | undefined;

  constructor(
    private readonly providers: Pick<ReadonlyMap<ProviderKind, Provider>, 'get'>,
    private readonly cache: TokenCache,
    private readonly context: () => ProviderContext,
  ) {}

  /** The provider of a kind; throws for a kind this build does not know. */
  provider(kind: ProviderKind): Provider {
    const provider = this.providers.get(kind);
    if (!provider)
      throw new TokenExplorerError('bad-config', `No provider for accounts of kind "${kind}".`);
    return provider;
  }

  /** A token for the account and audience: cached when still good, else freshly minted. */
  async get(
    account: Account,
    audience: string,
    options: { force?: boolean; signal?: AbortSignal } = {},
  ): Promise<IssuedToken> {
    const provider = this.provider(account.kind);
    assertSettingsValid(provider.validate(account), account);
    const key = cacheKey(account.id, audience);
    const mint = () =>
      provider.mint(
        account,
        { audience, ...(options.signal ? { signal: options.signal } : {}) },
        this.context(),
      );
    const cached = await this.cache.get(key, mint, options.force ?? false);
    const issued: IssuedToken = { ...cached, accountId: account.id, audience };
    this.latestIssued = issued;
    return issued;
  }

  /** The most recently handed-out token, if any. */
  latest(): IssuedToken | undefined {
    return this.latestIssued;
  }

  /** The audiences an account has minted for (or failed to), in first-use order. */
  audiences(accountId: string): AudienceState[] {
    const prefix = cacheKey(accountId, '');
    return this.cache
      .list()
      .filter((entry) => entry.key.startsWith(prefix))
      .map((entry) => ({
        audience: entry.key.slice(prefix.length),
        ...(entry.token ? { token: entry.token } : {}),
        ...(entry.lastError !== undefined ? { lastError: entry.lastError } : {}),
      }));
  }

  /** Forgets the last errors of an account, keeping its tokens (what failed has changed). */
  clearErrors(accountId: string): void {
    this.cache.clearErrors(cacheKey(accountId, ''));
  }

  /** Forgets every token of an account (it was removed or edited). */
  forget(accountId: string): void {
    this.cache.deletePrefix(cacheKey(accountId, ''));
    if (this.latestIssued?.accountId === accountId) this.latestIssued = undefined;
  }
}
