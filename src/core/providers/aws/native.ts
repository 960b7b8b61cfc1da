// GetWebIdentityToken without the aws CLI: credentials from the AWS SDK's chain (loaded only when
// this path runs), a SigV4-signed Query API POST to the regional STS endpoint through the
// context's fetch (so proxies and the test emulator apply), and STS's XML answer.
import { sign } from 'aws4';
import { TokenExplorerError, errorMessage } from '../../errors';
import { networkStep } from '../../http';
import { INSTALL_PAGES } from '../../remedies';
import { recogniseOfficialText } from '../officialTexts';
import type { ProviderContext } from '../provider';
import {
  type WebIdentityTokenRequest,
  queryBody,
  regionalEndpoint,
  stsError,
  webIdentityTokenResult,
} from './stsQuery';

/** AWS credentials as SigV4 needs them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * The part of the AWS SDK this path needs, bundled apart (`dist/awsSdk.js`) and loaded on first
 * use, so that activation neither loads nor waits for it.
 */
export interface AwsSdk {
  /**
   * Credentials from the SDK's default chain (`fromNodeProviderChain`: environment, SSO cache,
   * shared config and credentials files, credential_process, web identity, ECS, IMDSv2), for the
   * named profile or `AWS_PROFILE`/`default`. Rejects with the SDK's error.
   */
  credentials(profile: string | undefined): Promise<AwsCredentials>;
  /** The profile's `region` from ~/.aws/config (AWS_CONFIG_FILE), if it sets one. */
  region(profile: string | undefined): Promise<string | undefined>;
}

/** The account settings the native path reads. */
export interface NativeSettings {
  readonly profile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
}

/** The advice of an AWS text in `said`, after it; `said` alone when no row matches. */
export function withAwsAdvice(
  said: string,
  profile: string | undefined,
  fallback: TokenExplorerError['code'],
): TokenExplorerError {
  const row = recogniseOfficialText('aws', said);
  const advice = row?.advice(profile ? { profile } : {});
  return new TokenExplorerError(row?.code ?? fallback, advice ? `${said}\n${advice}` : said, {
    remedies: row?.remedies?.(profile ? { profile } : {}) ?? [],
  });
}

/**
 * The region: the account's, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's in
 * ~/.aws/config, as the SDKs look it up.
 * @throws TokenExplorerError `bad-config` when none is set (the global endpoint cannot serve it).
 */
async function resolveRegion(
  settings: NativeSettings,
  sdk: AwsSdk,
  context: ProviderContext,
): Promise<string> {
  const region =
    settings.region ??
    context.env.get('AWS_REGION') ??
    context.env.get('AWS_DEFAULT_REGION') ??
    (await sdk.region(settings.profile ?? context.env.get('AWS_PROFILE')));
  if (!region) {
    throw withAwsAdvice('You must specify a region.', settings.profile, 'bad-config');
  }
  return region;
}

/**
 * The endpoint: the account's, else `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL` (the SDKs'
 * service-specific endpoint variables), else the regional STS endpoint.
 */
function resolveEndpoint(settings: NativeSettings, region: string, context: ProviderContext): URL {
  const text =
    settings.endpointUrl ??
    context.env.get('AWS_ENDPOINT_URL_STS') ??
    context.env.get('AWS_ENDPOINT_URL') ??
    regionalEndpoint(region);
  try {
    return new URL(text);
  } catch {
    throw new TokenExplorerError('bad-config', `The STS endpoint "${text}" is not a URL.`);
  }
}

/** `YYYYMMDDTHHMMSSZ`, SigV4's `x-amz-date`, at the context's clock. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/**
 * Calls GetWebIdentityToken natively: the SDK's credentials, signed with aws4 (SigV4 per
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, service `sts`),
 * POSTed as a form to the regional endpoint.
 * @returns the token and STS's `Expiration`.
 * @throws TokenExplorerError with the fix for the documented errors (see officialTexts).
 */
export async function webIdentityTokenNatively(
  request: WebIdentityTokenRequest,
  settings: NativeSettings,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<{ token: string; expiration?: string }> {
  if (!context.awsSdk) {
    throw new TokenExplorerError(
      'cli-not-found',
      'Neither the aws CLI nor the AWS SDK is available here. Install AWS CLI v2, or set "awsPath" in the account to its full path.',
      {
        remedies: [
          { kind: 'editAccountSettings' },
          { kind: 'openUrl', url: INSTALL_PAGES.aws, label: 'Install Guide' },
        ],
      },
    );
  }
  const sdk = await context.awsSdk();
  const region = await resolveRegion(settings, sdk, context);
  const endpoint = resolveEndpoint(settings, region, context);
  let credentials: AwsCredentials;
  try {
    credentials = await sdk.credentials(settings.profile);
  } catch (error) {
    throw withAwsAdvice(
      `The AWS SDK found no usable credentials${settings.profile ? ` for the profile "${settings.profile}"` : ''}: ${errorMessage(error)}`,
      settings.profile,
      'no-credentials',
    );
  }
  const body = queryBody(request);
  const signed = sign(
    {
      host: endpoint.host,
      path: endpoint.pathname,
      method: 'POST',
      service: 'sts',
      region,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'X-Amz-Date': amzDate(context.clock.now()),
      },
      body,
    },
    credentials,
  );
  const headers = Object.fromEntries(
    Object.entries(signed.headers ?? {})
      .filter(([name]) => !['host', 'content-length'].includes(name.toLowerCase()))
      .map(([name, value]) => [name, String(value)]),
  );
  const url = endpoint.href;
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const response = await networkStep(
    () =>
      context.fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      }),
    (reason) => `Could not reach AWS STS at ${url}: ${reason}.`,
    (error) =>
      signal?.aborted
        ? new TokenExplorerError('cancelled', 'Cancelled.', { cause: error })
        : error instanceof Error && error.name === 'TimeoutError'
          ? new TokenExplorerError(
              'timeout',
              `AWS STS at ${url} did not answer within ${context.timeoutMs / 1000} s.`,
              { cause: error },
            )
          : undefined,
  );
  const text = await networkStep(
    () => response.text(),
    (reason) => `AWS STS at ${url} broke off its answer: ${reason}.`,
  );
  if (!response.ok) {
    const error = stsError(text);
    const said = error
      ? `STS GetWebIdentityToken failed (HTTP ${response.status}, ${error.code}): ${error.message}`
      : `STS at ${url} answered HTTP ${response.status} without an AWS error: check the endpoint URL and any proxy.`;
    throw withAwsAdvice(said, settings.profile, error ? 'http-status' : 'bad-response');
  }
  return webIdentityTokenResult(text);
}
