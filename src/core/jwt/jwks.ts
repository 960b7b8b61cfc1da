import { createLocalJWKSet } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { TokenExplorerError } from '../errors';
import { fetchJson } from '../http';
import type { Clock, Fetch } from '../ports';

/** The key set of one issuer and where it was found. */
export interface IssuerKeys {
  readonly jwksUrl: string;
  readonly keys: ReturnType<typeof createLocalJWKSet>;
  readonly fetchedAt: number;
}

// Issuers whose JWKS is well known, so no discovery round trip is needed. Yandex's issuer is
// spelled differently in its English and Russian docs: both are accepted (unconfirmed which one
// the service emits).
const BUILT_IN_JWKS: ReadonlyMap<string, string> = new Map([
  ['https://accounts.google.com', 'https://www.googleapis.com/oauth2/v3/certs'],
  ['accounts.google.com', 'https://www.googleapis.com/oauth2/v3/certs'],
  ['https://gitlab.com', 'https://gitlab.com/oauth/discovery/keys'],
  ['https://auth.yandex.cloud', 'https://auth.yandex.cloud/oauth/jwks/keys'],
  ['https://auth.cloud.yandex.com', 'https://auth.yandex.cloud/oauth/jwks/keys'],
  ['https://auth.cloud.yandex.ru', 'https://auth.yandex.cloud/oauth/jwks/keys'],
  [
    'https://token.actions.githubusercontent.com',
    'https://token.actions.githubusercontent.com/.well-known/jwks',
  ],
  // One issuer for every organization (https://buildkite.com/docs/agent/v3/cli-oidc, "OIDC URLs").
  // CircleCI, Bitbucket, Azure DevOps and Entra have an issuer per organization, workspace or
  // tenant, each with a discovery document, which the cache reads like any other.
  ['https://agent.buildkite.com', 'https://agent.buildkite.com/.well-known/jwks'],
]);

const LOOPBACK = /^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** Whether an issuer or JWKS URL may be fetched: https anywhere, plain http only on loopback. */
export function checkFetchableUrl(url: string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TokenExplorerError(
      'bad-response',
      `The ${what} ${JSON.stringify(url)} is not a URL.`,
    );
  }
  if (
    parsed.protocol === 'https:' ||
    (parsed.protocol === 'http:' && LOOPBACK.test(parsed.hostname))
  ) {
    return parsed;
  }
  throw new TokenExplorerError(
    'bad-response',
    `The ${what} ${JSON.stringify(url)} is not https, so its keys are not fetched (plain http is allowed only for localhost).`,
  );
}

/** Parses a JWKS document (or a single JWK) into a key set, with a precise error when it is not one. */
export function parseJwks(json: unknown, from: string): JSONWebKeySet {
  if (
    json !== null &&
    typeof json === 'object' &&
    Array.isArray((json as { keys?: unknown }).keys)
  ) {
    return json as JSONWebKeySet;
  }
  if (
    json !== null &&
    typeof json === 'object' &&
    typeof (json as { kty?: unknown }).kty === 'string'
  ) {
    return { keys: [json as JSONWebKeySet['keys'][number]] };
  }
  throw new TokenExplorerError('bad-key', `${from} is not a JWKS: it has no "keys" array.`);
}

/**
 * Per-issuer cache of JSON Web Key Sets, found by OIDC discovery or the built-in table.
 * Concurrent lookups of one issuer share one fetch; an entry lives `ttlMs`, and a token whose kid
 * is missing may force one early refetch (key rotation) once the entry is `cooldownMs` old.
 */
export class JwksCache {
  private readonly entries = new Map<string, Promise<IssuerKeys>>();

  constructor(
    private readonly fetch: Fetch,
    private readonly clock: Clock,
    private readonly options: {
      /** Per fetch; read each time, so a getter can follow a setting. */
      readonly timeoutMs: number;
      readonly ttlMs?: number;
      readonly cooldownMs?: number;
      /** Issuer → JWKS URL, from settings; takes precedence over discovery and the built-ins. */
      readonly jwksOverrides?: () => Readonly<Record<string, string>>;
    },
  ) {}

  /** The issuer's keys, from cache when fresh. */
  async get(issuer: string): Promise<IssuerKeys> {
    const cached = this.entries.get(issuer);
    if (cached) {
      const entry = await cached.catch(() => undefined);
      if (entry && this.clock.now() - entry.fetchedAt < (this.options.ttlMs ?? 600_000))
        return entry;
      if (this.entries.get(issuer) !== cached) return this.get(issuer);
    }
    return this.load(issuer);
  }

  /** Refetches after a kid miss unless the cached set is younger than the cooldown. */
  async refreshAfterMiss(issuer: string, entry: IssuerKeys): Promise<IssuerKeys | undefined> {
    if (this.clock.now() - entry.fetchedAt < (this.options.cooldownMs ?? 30_000)) return undefined;
    return this.load(issuer);
  }

  clear(): void {
    this.entries.clear();
  }

  private load(issuer: string): Promise<IssuerKeys> {
    const pending = this.resolve(issuer);
    this.entries.set(issuer, pending);
    pending.catch(() => {
      if (this.entries.get(issuer) === pending) this.entries.delete(issuer);
    });
    return pending;
  }

  private async resolve(issuer: string): Promise<IssuerKeys> {
    const jwksUrl = await this.jwksUrlFor(issuer);
    const json = await fetchJson(this.fetch, jwksUrl, this.options.timeoutMs);
    const keys = createLocalJWKSet(parseJwks(json, jwksUrl));
    return { jwksUrl, keys, fetchedAt: this.clock.now() };
  }

  private async jwksUrlFor(issuer: string): Promise<string> {
    const override = this.options.jwksOverrides?.()[issuer];
    if (override) return checkFetchableUrl(override, 'JWKS URL from settings').href;
    const builtIn = BUILT_IN_JWKS.get(issuer);
    if (builtIn) return builtIn;
    const base = checkFetchableUrl(issuer, 'issuer').href.replace(/\/$/, '');
    const discoveryUrl = `${base}/.well-known/openid-configuration`;
    const discovery = await fetchJson(this.fetch, discoveryUrl, this.options.timeoutMs);
    const jwksUri = (discovery as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== 'string') {
      throw new TokenExplorerError('bad-response', `${discoveryUrl} has no "jwks_uri".`);
    }
    return checkFetchableUrl(jwksUri, 'jwks_uri').href;
  }
}
