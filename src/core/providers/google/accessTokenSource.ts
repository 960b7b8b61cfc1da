// Access tokens of any ADC type, cached and single-flight through the shared TokenCache.
import { TokenCache } from '../../cache/tokenCache';
import { TokenExplorerError } from '../../errors';
import type { MintedToken, ProviderContext } from '../provider';
import { targetOfImpersonationUrl } from './credentialFiles';
import type { AccessToken, GoogleCredentials, MetadataCredentials } from './credentials';
import { CLOUD_PLATFORM_SCOPE, EAGER_REFRESH_MS } from './credentials';
import { exchangeSubjectToken } from './externalAccount';
import { generateAccessToken } from './iamCredentials';
import { jwtBearerGrant } from './jwtBearer';
import { metadataAccessToken } from './metadata';
import { expiresAtFrom, requireField } from './tokenResponses';
import { refreshUserTokens } from './userRefresh';

const ACCESS_TOKEN_KEY = 'access-token';

function abortError(signal: AbortSignal): TokenExplorerError {
  return new TokenExplorerError('cancelled', 'Getting a Google access token was cancelled.', {
    cause: signal.reason,
  });
}

/** Resolves like `promise` unless `signal` aborts first; the shared upstream call goes on. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Access tokens for one set of credentials: cached, refreshed {@link EAGER_REFRESH_MS} before
 * expiry, and single-flight (concurrent callers share one upstream call; a caller's signal only
 * stops its own wait).
 */
export class AccessTokenSource {
  // The same cache as ID tokens, tuned so a caller never gets a token inside the eager window.
  private readonly cache: TokenCache;
  private source?: AccessTokenSource;
  private email?: string;

  constructor(
    readonly credentials: GoogleCredentials | MetadataCredentials,
    private readonly context: ProviderContext,
  ) {
    this.cache = new TokenCache(context.clock, {
      eagerRefreshMs: EAGER_REFRESH_MS,
      minRemainingMs: EAGER_REFRESH_MS,
    });
  }

  /** Who the access token speaks for, when known (email of the user or service account). */
  get callerEmail(): string | undefined {
    const credentials = this.credentials;
    switch (credentials.type) {
      case 'authorized_user':
        return this.email ?? credentials.account;
      case 'service_account':
        return credentials.clientEmail;
      case 'impersonated_service_account':
        return credentials.targetPrincipal;
      case 'external_account':
        return credentials.serviceAccountImpersonationUrl
          ? targetOfImpersonationUrl(credentials.serviceAccountImpersonationUrl, credentials.from)
          : undefined;
      case 'metadata':
        return undefined;
    }
  }

  /**
   * For credentials that themselves impersonate a service account (`impersonated_service_account`,
   * or `external_account` with `service_account_impersonation_url`): that account, the source
   * credentials that act as it, and the file's delegates. The official clients call
   * `generateIdToken` for the target with these (Python `impersonated_credentials.
   * IDTokenCredentials.refresh`, Node `Impersonated.fetchIdToken` through `sourceClient`), not
   * with the target's own access token: a service account may not mint its own ID token unless
   * granted Token Creator on itself.
   * @returns undefined for credentials that do not impersonate.
   */
  impersonation():
    | {
        readonly target: string;
        readonly caller: AccessTokenSource;
        readonly delegates: readonly string[];
      }
    | undefined {
    const credentials = this.credentials;
    if (credentials.type === 'impersonated_service_account') {
      return {
        target: credentials.targetPrincipal,
        caller: this.sourceOf(credentials.sourceCredentials),
        delegates: credentials.delegates,
      };
    }
    if (credentials.type === 'external_account' && credentials.serviceAccountImpersonationUrl) {
      const { serviceAccountImpersonationUrl: url, ...federated } = credentials;
      return {
        target: targetOfImpersonationUrl(url, credentials.from),
        caller: this.sourceOf(federated),
        delegates: [],
      };
    }
    return undefined;
  }

  /** A valid access token, from the cache when it has more than 5 minutes left. */
  async getAccessToken(signal?: AbortSignal): Promise<AccessToken> {
    const mint = async (): Promise<MintedToken> => {
      const fresh = await this.fetchAccessToken();
      return { token: fresh.accessToken, expiresAt: fresh.expiresAt };
    };
    const { token } = await untilAborted(this.cache.get(ACCESS_TOKEN_KEY, mint), signal);
    return { accessToken: token.token, expiresAt: token.expiresAt };
  }

  /** Forgets the cached token (e.g. after the server rejected it). */
  invalidate(): void {
    this.cache.deletePrefix(ACCESS_TOKEN_KEY);
    this.source?.invalidate();
  }

  private async fetchAccessToken(): Promise<AccessToken> {
    const credentials = this.credentials;
    const context = this.context;
    switch (credentials.type) {
      case 'authorized_user': {
        const tokens = await refreshUserTokens(credentials, context);
        if (tokens.email) this.email = tokens.email;
        return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt };
      }
      case 'service_account': {
        const body = await jwtBearerGrant(credentials, { scope: CLOUD_PLATFORM_SCOPE }, context);
        return {
          accessToken: requireField(body, 'access_token', credentials.tokenUri),
          expiresAt: expiresAtFrom(body, context.clock.now()),
        };
      }
      case 'impersonated_service_account': {
        const source = this.sourceOf(credentials.sourceCredentials);
        const bearer = await source.getAccessToken();
        return generateAccessToken(
          credentials.serviceAccountImpersonationUrl,
          bearer.accessToken,
          credentials.delegates,
          3600,
          source.callerEmail ?? `The source credentials of ${credentials.from}`,
          context,
        );
      }
      case 'external_account': {
        if (!credentials.serviceAccountImpersonationUrl) {
          return exchangeSubjectToken(credentials, context);
        }
        const { serviceAccountImpersonationUrl: url, ...federated } = credentials;
        const bearer = await this.sourceOf(federated).getAccessToken();
        return generateAccessToken(
          url,
          bearer.accessToken,
          [],
          credentials.impersonationLifetimeSeconds ?? 3600,
          `The federated identity of ${credentials.from}`,
          context,
        );
      }
      case 'metadata':
        return metadataAccessToken(context);
    }
  }

  /** The one source of the credentials this one acts through (kept, so its token is cached). */
  private sourceOf(credentials: GoogleCredentials): AccessTokenSource {
    this.source ??= new AccessTokenSource(credentials, this.context);
    return this.source;
  }
}
