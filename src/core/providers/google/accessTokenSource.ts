// Access tokens of any ADC type, cached and single-flight through the shared TokenCache.
import { TokenCache } from '../../cache/tokenCache';
import { TokenExplorerError } from '../../errors';
import type { MintedToken, ProviderContext } from '../provider';
import { targetOfImpersonationUrl } from './credentialFiles';
import type {
  AccessToken,
  ExternalAccountCredentials,
  GoogleCredentials,
  MetadataCredentials,
} from './credentials';
import { CLOUD_PLATFORM_SCOPE, EAGER_REFRESH_MS } from './credentials';
import { exchangeSubjectToken } from './externalAccount';
import { generateAccessToken } from './iamCredentials';
import { jwtBearerGrant } from './jwtBearer';
import { metadataAccessToken } from './metadataServer';
import { expiresAtFrom, requireField } from './tokenResponses';
import { refreshUserTokens, refreshWorkforceTokens } from './userRefresh';

const ACCESS_TOKEN_KEY = 'access-token';

/** The STS token of `external_account` credentials, before their own impersonation step. */
export interface FederatedCredentials {
  readonly type: 'federated';
  readonly external: ExternalAccountCredentials;
}

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
  /** A refresh token the workforce STS rotated to, used instead of the file's. */
  private rotatedRefreshToken?: string;

  /**
   * @param nested true for the source credentials inside another credential (they keep their
   *   own quota project; GOOGLE_CLOUD_QUOTA_PROJECT overrides only the outermost one).
   */
  constructor(
    readonly credentials: GoogleCredentials | MetadataCredentials | FederatedCredentials,
    private readonly context: ProviderContext,
    private readonly nested = false,
  ) {
    this.cache = new TokenCache(context.clock, {
      eagerRefreshMs: EAGER_REFRESH_MS,
      minRemainingMs: EAGER_REFRESH_MS,
    });
  }

  /**
   * The `x-goog-user-project` header for Google API calls made with this source's token, when it
   * has a quota project: the file's `quota_project_id`, or GOOGLE_CLOUD_QUOTA_PROJECT for the
   * outermost credential. google-auth-library adds it in `AuthClient.addSharedMetadataHeaders`
   * to requests made through a client (so to IAM Credentials calls made by `Impersonated` through
   * its `sourceClient`), never to token-endpoint or STS calls; GoogleAuth applies
   * GOOGLE_CLOUD_QUOTA_PROJECT in `#prepareAndCacheClient` to the client it builds.
   */
  get quotaProjectHeader(): Record<string, string> {
    const credentials = this.credentials;
    const own = 'quotaProjectId' in credentials ? credentials.quotaProjectId : undefined;
    const project = (!this.nested && this.context.env.get('GOOGLE_CLOUD_QUOTA_PROJECT')) || own;
    return project ? { 'x-goog-user-project': project } : {};
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
      case 'external_account_authorized_user':
      case 'federated':
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
      return {
        target: targetOfImpersonationUrl(
          credentials.serviceAccountImpersonationUrl,
          credentials.from,
        ),
        caller: this.sourceOf({ type: 'federated', external: credentials }),
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
          source.quotaProjectHeader,
        );
      }
      case 'external_account': {
        if (!credentials.serviceAccountImpersonationUrl) {
          return exchangeSubjectToken(credentials, context);
        }
        const federated = this.sourceOf({ type: 'federated', external: credentials });
        const bearer = await federated.getAccessToken();
        return generateAccessToken(
          credentials.serviceAccountImpersonationUrl,
          bearer.accessToken,
          [],
          credentials.impersonationLifetimeSeconds ?? 3600,
          `The federated identity of ${credentials.from}`,
          context,
        );
      }
      case 'external_account_authorized_user': {
        const refreshToken = this.rotatedRefreshToken ?? credentials.refreshToken;
        const tokens = await refreshWorkforceTokens(credentials, refreshToken, context);
        if (tokens.refreshToken) this.rotatedRefreshToken = tokens.refreshToken;
        return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt };
      }
      case 'federated':
        return exchangeSubjectToken(credentials.external, context);
      case 'metadata':
        return metadataAccessToken(context);
    }
  }

  /** The one source of the credentials this one acts through (kept, so its token is cached). */
  private sourceOf(credentials: GoogleCredentials | FederatedCredentials): AccessTokenSource {
    this.source ??= new AccessTokenSource(credentials, this.context, true);
    return this.source;
  }
}
