// The AWS credential source of `external_account` (`environment_id: aws1`): a signed
// GetCallerIdentity request as the subject token, built as google-auth-library builds it
// (src/auth/awsclient.ts `AwsClient.retrieveSubjectToken`, awsrequestsigner.ts,
// defaultawssecuritycredentialssupplier.ts).
import { sign } from 'aws4';
import { TokenExplorerError } from '../../errors';
import { networkStep } from '../../http';
import type { ProviderContext } from '../provider';
import type { CredentialSource, ExternalAccountCredentials } from './credentials';

type AwsSource = Extract<CredentialSource, { kind: 'aws' }>;

/** AWS credentials as the signer needs them. */
export interface AwsSecurityCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The IMDSv2 session token request's TTL, as google-auth-library asks (seconds). */
const SESSION_TOKEN_TTL = '300';

/** One call to the instance metadata service (no retries: gaxios' default, as the library). */
async function imds(
  context: ProviderContext,
  url: string,
  what: string,
  init: { method?: string; headers: Record<string, string> },
): Promise<string> {
  const timeoutMs = context.timeoutMs;
  const response = await networkStep(
    () => context.fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    (reason) =>
      `Could not reach the AWS instance metadata service at ${url} for ${what}: ${reason}. The AWS credential source works on EC2 (or where AWS_REGION and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set).`,
    (error) =>
      error instanceof Error && error.name === 'TimeoutError'
        ? new TokenExplorerError(
            'timeout',
            `The AWS instance metadata service at ${url} did not answer within ${timeoutMs / 1000} s (${what}).`,
            { cause: error },
          )
        : undefined,
  );
  const text = await networkStep(
    () => response.text(),
    (reason) => `${url} broke off its answer: ${reason}.`,
  );
  if (response.ok) return text;
  const advice =
    response.status === 401
      ? init.headers['x-aws-ec2-metadata-token']
        ? ' (the session token was refused; try again)'
        : ': the instance requires IMDSv2 session tokens (HttpTokens=required). Add "imdsv2_session_token_url": "http://169.254.169.254/latest/api/token" to the credential_source (`gcloud iam workload-identity-pools create-cred-config ... --enable-imdsv2` writes it)'
      : response.status === 404 && what === 'the role name'
        ? ': the instance has no IAM role (instance profile) attached. Attach one, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'
        : '';
  throw new TokenExplorerError(
    'http-status',
    `The AWS instance metadata service answered HTTP ${response.status} to ${init.method ?? 'GET'} ${url} (${what})${advice}.`,
  );
}

/** An IMDSv2 session token, when the credential source names where to get one. */
async function sessionHeaders(
  source: AwsSource,
  context: ProviderContext,
): Promise<Record<string, string>> {
  if (!source.imdsv2SessionTokenUrl) return {};
  const token = await imds(context, source.imdsv2SessionTokenUrl, 'an IMDSv2 session token', {
    method: 'PUT',
    headers: { 'x-aws-ec2-metadata-token-ttl-seconds': SESSION_TOKEN_TTL },
  });
  return { 'x-aws-ec2-metadata-token': token };
}

/**
 * The AWS region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the availability zone at
 * `region_url` less its last character (`us-east-2b` → `us-east-2`).
 * @throws TokenExplorerError `bad-config` when neither is available.
 */
export async function awsRegion(
  credentials: ExternalAccountCredentials,
  source: AwsSource,
  context: ProviderContext,
): Promise<string> {
  const fromEnv = context.env.get('AWS_REGION') || context.env.get('AWS_DEFAULT_REGION');
  if (fromEnv) return fromEnv;
  const headers = await sessionHeaders(source, context);
  if (!source.regionUrl) {
    throw new TokenExplorerError(
      'bad-config',
      `The AWS credential source in ${credentials.from} has no "region_url" and neither AWS_REGION nor AWS_DEFAULT_REGION is set. Set one of them before starting VS Code, or recreate the file with \`gcloud iam workload-identity-pools create-cred-config --aws\`.`,
    );
  }
  const zone = (await imds(context, source.regionUrl, 'the availability zone', { headers })).trim();
  return zone.slice(0, -1);
}

/**
 * The AWS credentials: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with
 * `AWS_SESSION_TOKEN`) when both are set, else the instance role's temporary credentials: the
 * role name at `url`, then `url/ROLE` (with a fresh IMDSv2 session token when configured).
 */
export async function awsSecurityCredentials(
  credentials: ExternalAccountCredentials,
  source: AwsSource,
  context: ProviderContext,
): Promise<AwsSecurityCredentials> {
  const accessKeyId = context.env.get('AWS_ACCESS_KEY_ID');
  const secretAccessKey = context.env.get('AWS_SECRET_ACCESS_KEY');
  if (accessKeyId && secretAccessKey) {
    const sessionToken = context.env.get('AWS_SESSION_TOKEN');
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  const headers = await sessionHeaders(source, context);
  if (!source.url) {
    throw new TokenExplorerError(
      'bad-config',
      `The AWS credential source in ${credentials.from} has no "url" for the instance role's credentials and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set. Set them before starting VS Code, or add "url": "http://169.254.169.254/latest/meta-data/iam/security-credentials".`,
    );
  }
  const role = (await imds(context, source.url, 'the role name', { headers })).trim();
  const text = await imds(context, `${source.url}/${role}`, `the credentials of role ${role}`, {
    headers,
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const fields = body as Record<string, unknown> | undefined;
  if (
    typeof fields?.AccessKeyId !== 'string' ||
    typeof fields.SecretAccessKey !== 'string' ||
    typeof fields.Token !== 'string'
  ) {
    throw new TokenExplorerError(
      'bad-response',
      `The AWS instance metadata service at ${source.url}/${role} did not answer with credentials (JSON with AccessKeyId, SecretAccessKey and Token).`,
    );
  }
  return {
    accessKeyId: fields.AccessKeyId,
    secretAccessKey: fields.SecretAccessKey,
    sessionToken: fields.Token,
  };
}

/** `YYYYMMDDTHHMMSSZ`, SigV4's `x-amz-date`. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/**
 * The subject token of an AWS credential source: the URL-encoded JSON of a SigV4-signed
 * `POST` to the regional GetCallerIdentity URL, with the headers Google's STS forwards to AWS:
 * `{url, method: 'POST', headers: [{key, value}, ...]}`. As google-auth-library does, the signed
 * headers are `host`, `x-amz-date` and (with temporary credentials) `x-amz-security-token`;
 * `x-goog-cloud-target-resource` (the audience) is added after signing; header names are lower
 * case and sorted. Signing: aws4 (SigV4 per
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), at the
 * context's clock.
 * @param region from {@link awsRegion}; cached by the caller as the library caches it per client.
 */
export function signedCallerIdentityRequest(
  credentials: ExternalAccountCredentials,
  source: AwsSource,
  region: string,
  aws: AwsSecurityCredentials,
  nowMs: number,
): string {
  const url = source.regionalCredVerificationUrl.replace('{region}', region);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TokenExplorerError(
      'bad-credentials',
      `The "regional_cred_verification_url" in ${credentials.from} is not a URL.`,
    );
  }
  const signed = sign(
    {
      host: parsed.host,
      path: `${parsed.pathname}${parsed.search}`,
      method: 'POST',
      // The service is the host's first label (sts.us-east-2.amazonaws.com → sts), as the
      // library derives it.
      service: parsed.hostname.split('.')[0] ?? 'sts',
      region,
      headers: { Host: parsed.host, 'X-Amz-Date': amzDate(nowMs) },
    },
    {
      accessKeyId: aws.accessKeyId,
      secretAccessKey: aws.secretAccessKey,
      ...(aws.sessionToken ? { sessionToken: aws.sessionToken } : {}),
    },
  );
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(signed.headers ?? {})) {
    headers.set(name.toLowerCase(), String(value));
  }
  headers.set('x-goog-cloud-target-resource', credentials.audience);
  return encodeURIComponent(
    JSON.stringify({
      url,
      method: 'POST',
      headers: [...headers.keys()].sort().map((key) => ({ key, value: headers.get(key) })),
    }),
  );
}

const regions = new WeakMap<AwsSource, string>();

/**
 * Reads the region (once per parsed credential source, as the library does once per client) and
 * the AWS credentials (every time: instance roles rotate), and signs the GetCallerIdentity request.
 */
export async function awsSubjectToken(
  credentials: ExternalAccountCredentials,
  source: AwsSource,
  context: ProviderContext,
): Promise<string> {
  let region = regions.get(source);
  if (region === undefined) {
    region = await awsRegion(credentials, source, context);
    regions.set(source, region);
  }
  const aws = await awsSecurityCredentials(credentials, source, context);
  return signedCallerIdentityRequest(credentials, source, region, aws, context.clock.now());
}
