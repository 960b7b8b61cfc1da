// IAM Credentials: short-lived credentials of a service account for a caller allowed to act as it.
import { TokenExplorerError } from '../../errors';
import { httpFailure, postJson } from '../../http';
import type { ProviderContext } from '../provider';
import { targetOfImpersonationUrl } from './credentialFiles';
import type { AccessToken, Json } from './credentials';
import { CLOUD_PLATFORM_SCOPE } from './credentials';
import { requireField, requireObject } from './tokenResponses';

/**
 * IAM Credentials `generateAccessToken`: an access token of `url`'s service account, for a caller
 * whose access token is `bearer`.
 */
export async function generateAccessToken(
  url: string,
  bearer: string,
  delegates: readonly string[],
  lifetimeSeconds: number,
  caller: string,
  context: ProviderContext,
  quotaProjectHeader: Readonly<Record<string, string>> = {},
): Promise<AccessToken> {
  const target = targetOfImpersonationUrl(url, url);
  let body: Json;
  try {
    body = requireObject(
      await postJson(
        context.fetch,
        url,
        { delegates, scope: [CLOUD_PLATFORM_SCOPE], lifetime: `${lifetimeSeconds}s` },
        {
          timeoutMs: context.timeoutMs,
          headers: { authorization: `Bearer ${bearer}`, ...quotaProjectHeader },
        },
      ),
      url,
    );
  } catch (error) {
    const failure = httpFailure(error);
    if (failure?.status === 403) {
      throw new TokenExplorerError(
        'permission-denied',
        `${caller} may not impersonate ${target} (${failure.description ?? 'permission denied'}). Grant it roles/iam.serviceAccountTokenCreator on ${target}.`,
        { cause: error },
      );
    }
    if (failure?.status === 404) {
      throw new TokenExplorerError(
        'bad-config',
        `The service account ${target} to impersonate does not exist (${url} answered 404).`,
        { cause: error },
      );
    }
    throw error;
  }
  const accessToken = requireField(body, 'accessToken', url);
  const expireTime = Date.parse(typeof body.expireTime === 'string' ? body.expireTime : '');
  return {
    accessToken,
    expiresAt: Number.isFinite(expireTime)
      ? expireTime
      : context.clock.now() + lifetimeSeconds * 1000,
  };
}
