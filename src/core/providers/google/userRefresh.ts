// The refresh_token grant of user credentials (`authorized_user`, `external_account_authorized_user`).
import { TokenExplorerError, asClause } from '../../errors';
import { httpFailure, postForm } from '../../http';
import { decodeCompact } from '../../jwt/decode';
import type { MintedToken, ProviderContext } from '../provider';
import type {
  AccessToken,
  AuthorizedUserCredentials,
  ExternalAccountAuthorizedUserCredentials,
  Json,
} from './credentials';
import { ADC_LOGIN } from './credentials';
import {
  expiresAtFrom,
  mintedToken,
  postTokenForm,
  requireField,
  requireObject,
} from './tokenResponses';

/** The tokens of a refresh_token grant. */
export interface UserTokens extends AccessToken {
  readonly idToken?: string;
  /** The `email` claim of the ID token, when there is one. */
  readonly email?: string;
}

/**
 * The refresh_token grant of `authorized_user` credentials: a form POST to `token_uri`.
 * @throws TokenExplorerError `bad-credentials` when the refresh token or client is rejected.
 */
export async function refreshUserTokens(
  credentials: AuthorizedUserCredentials,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<UserTokens> {
  let body: Json;
  try {
    body = requireObject(
      await postForm(
        context.fetch,
        credentials.tokenUri,
        {
          grant_type: 'refresh_token',
          refresh_token: credentials.refreshToken,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        },
        { timeoutMs: context.timeoutMs, ...(signal ? { signal } : {}) },
      ),
      credentials.tokenUri,
    );
  } catch (error) {
    const failure = httpFailure(error);
    if (failure && failure.status < 500 && failure.status !== 429) {
      const said = asClause([failure.error, failure.description].filter(Boolean).join(': '));
      const why =
        failure.error === 'invalid_client' || failure.error === 'unauthorized_client'
          ? 'the OAuth client in the file is not accepted'
          : 'the refresh token has expired or was revoked';
      throw new TokenExplorerError(
        'bad-credentials',
        `${credentials.tokenUri} refused the user credentials in ${credentials.from}${said ? ` (${said})` : ''}: ${why}. Run \`${ADC_LOGIN}\` to sign in again.`,
        { cause: error },
      );
    }
    throw error;
  }
  const accessToken = requireField(body, 'access_token', credentials.tokenUri);
  const idToken = typeof body.id_token === 'string' ? body.id_token : undefined;
  let email: string | undefined;
  if (idToken) {
    const decoded = decodeCompact(idToken);
    const claim = decoded.parts.length === 3 ? decoded.payload?.email : undefined;
    if (typeof claim === 'string') email = claim;
  }
  return {
    accessToken,
    expiresAt: expiresAtFrom(body, context.clock.now()),
    ...(idToken ? { idToken } : {}),
    ...(email ? { email } : {}),
  };
}

/**
 * The user's own ID token from the refresh_token grant; its audience is the OAuth client id.
 * @throws TokenExplorerError `bad-response` when the token endpoint returns no `id_token`.
 */
export async function fetchUserIdToken(
  credentials: AuthorizedUserCredentials,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<MintedToken> {
  const tokens = await refreshUserTokens(credentials, context, signal);
  if (!tokens.idToken) {
    throw new TokenExplorerError(
      'bad-response',
      `${credentials.tokenUri} returned no id_token for the user in ${credentials.from}. Sign in again with \`${ADC_LOGIN}\` (the openid scope is needed).`,
    );
  }
  return mintedToken(tokens.idToken, credentials.tokenUri);
}

/** The tokens of a workforce refresh: STS may hand out a new refresh token with them. */
export interface WorkforceTokens extends AccessToken {
  readonly refreshToken?: string;
}

/**
 * The refresh_token grant of `external_account_authorized_user` credentials: a form POST of
 * `grant_type=refresh_token&refresh_token` to `token_url`, the client id and secret as HTTP Basic
 * auth (google-auth-library `ExternalAccountAuthorizedUserHandler.refreshToken`, with
 * `confidentialClientType: 'basic'`). A `refresh_token` in the answer replaces the old one.
 * @param refreshToken the latest refresh token (the file's, or one the server rotated to).
 * @throws TokenExplorerError `bad-credentials` when the login has expired or the client is refused.
 */
export async function refreshWorkforceTokens(
  credentials: ExternalAccountAuthorizedUserCredentials,
  refreshToken: string,
  context: ProviderContext,
): Promise<WorkforceTokens> {
  const body = await postTokenForm(
    credentials,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    context,
    (said) =>
      `${credentials.tokenUrl} refused the workforce identity login in ${credentials.from}${said}: the session has expired or was revoked. Sign in again with \`gcloud auth application-default login --login-config=LOGIN_CONFIG_FILE\` (your workforce pool's login configuration).`,
  );
  const rotated = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
  return {
    accessToken: requireField(body, 'access_token', credentials.tokenUrl),
    expiresAt: expiresAtFrom(body, context.clock.now()),
    ...(rotated ? { refreshToken: rotated } : {}),
  };
}
