import type { MintedToken } from '../providers/provider';
import type { Clock } from '../ports';

/** Tuning of the cache; the defaults follow Google's official clients. */
export interface TokenCacheOptions {
  /** Start refreshing this long before expiry (default 5 min, the official clients' threshold). */
  readonly eagerRefreshMs?: number;
  /** Never hand out a token with less life than this left (default 60 s). */
  readonly minRemainingMs?: number;
}

/** What a get returns: the token, whether it came from cache, and a background refresh error. */
export interface CachedToken {
  readonly token: MintedToken;
  readonly fromCache: boolean;
  /** Set when a refresh failed and a still-usable older token was served instead. */
  readonly refreshError?: unknown;
}

/** The state of one (account, audience) key, for the tree and status bar. */
export interface CacheEntryView {
  readonly key: string;
  readonly token?: MintedToken;
  readonly lastError?: unknown;
}

interface Entry {
  token?: MintedToken;
  lastError?: unknown;
  inflight?: Promise<MintedToken>;
}

/** The cache key of one account and audience. */
export function cacheKey(accountId: string, audience: string): string {
  return `${accountId}\u0000${audience}`;
}

/**
 * In-memory ID token cache per (account, audience). A valid token is served at once; within the
 * eager-refresh window it is still served while one background refresh runs; with less than the
 * minimum life left the caller waits for a fresh one. Concurrent gets of one key share one
 * upstream call. A failed refresh keeps the old token until it really expires and is reported.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(key: string) => void>();
  /** How long before expiry a get starts a background refresh. */
  readonly eagerRefreshMs: number;
  private readonly minRemainingMs: number;

  constructor(
    private readonly clock: Clock,
    options: TokenCacheOptions = {},
  ) {
    this.eagerRefreshMs = options.eagerRefreshMs ?? 5 * 60_000;
    this.minRemainingMs = options.minRemainingMs ?? 60_000;
  }

  /** Calls `listener` with the key whenever an entry's token or error changes. */
  onDidChange(listener: (key: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * The token for `key`, minting with `mint` only when needed. `force` always mints (still
   * single-flight). Rejects with the mint error when no usable token exists.
   */
  async get(key: string, mint: () => Promise<MintedToken>, force = false): Promise<CachedToken> {
    const entry = this.entry(key);
    const remaining = entry.token ? entry.token.expiresAt - this.clock.now() : -1;
    if (!force && entry.token && remaining > this.eagerRefreshMs) {
      return { token: entry.token, fromCache: true };
    }
    if (!force && entry.token && remaining > this.minRemainingMs) {
      const stale = entry.token;
      const previousError = entry.lastError;
      this.refresh(key, entry, mint).catch(() => undefined);
      return {
        token: stale,
        fromCache: true,
        ...(previousError !== undefined ? { refreshError: previousError } : {}),
      };
    }
    try {
      return { token: await this.refresh(key, entry, mint), fromCache: false };
    } catch (error) {
      const old = entry.token;
      if (!force && old && old.expiresAt - this.clock.now() > this.minRemainingMs) {
        return { token: old, fromCache: true, refreshError: error };
      }
      throw error;
    }
  }

  /** The cached token if it still has the minimum life left, without minting. */
  peek(key: string): MintedToken | undefined {
    const token = this.entries.get(key)?.token;
    return token && token.expiresAt - this.clock.now() > this.minRemainingMs ? token : undefined;
  }

  /** Every entry, for views. Expired tokens are still listed (the tree says "expired"). */
  list(): CacheEntryView[] {
    return [...this.entries].map(([key, e]) => ({
      key,
      ...(e.token ? { token: e.token } : {}),
      ...(e.lastError !== undefined ? { lastError: e.lastError } : {}),
    }));
  }

  /** Forgets every key starting with `prefix` (e.g. an account that was removed). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        this.emit(key);
      }
    }
  }

  /**
   * Drops the last error of every key starting with `prefix` (what it was about changed: the
   * issuer started, a setting changed); a key left with neither token nor mint in flight goes.
   */
  clearErrors(prefix: string): void {
    for (const [key, entry] of [...this.entries]) {
      if (!key.startsWith(prefix) || entry.lastError === undefined) continue;
      entry.lastError = undefined;
      if (!entry.token && !entry.inflight) this.entries.delete(key);
      this.emit(key);
    }
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {};
      this.entries.set(key, entry);
    }
    return entry;
  }

  private refresh(
    key: string,
    entry: Entry,
    mint: () => Promise<MintedToken>,
  ): Promise<MintedToken> {
    if (entry.inflight) return entry.inflight;
    const inflight = (async () => {
      try {
        const token = await mint();
        entry.token = token;
        entry.lastError = undefined;
        return token;
      } catch (error) {
        entry.lastError = error;
        if (entry.token && entry.token.expiresAt <= this.clock.now()) entry.token = undefined;
        throw error;
      } finally {
        entry.inflight = undefined;
        if (this.entries.get(key) === entry) this.emit(key);
      }
    })();
    entry.inflight = inflight;
    return inflight;
  }

  private emit(key: string): void {
    for (const listener of this.listeners) listener(key);
  }
}
