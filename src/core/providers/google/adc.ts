// Application Default Credentials: the search order, and one cached access-token source per file.
import { posix, win32 } from 'node:path';
import { TokenExplorerError } from '../../errors';
import type { Environment } from '../../ports';
import type { ProviderContext } from '../provider';
import { AccessTokenSource } from './accessTokenSource';
import { readCredentialsFile } from './credentialFiles';
import type { AdcLocation, GoogleCredentials, MetadataCredentials } from './credentials';
import { ADC_LOGIN, ADC_SIGN_IN } from './credentials';
import { probeMetadataServer } from './metadataProbe';

/**
 * Where gcloud keeps the ADC file: `CLOUDSDK_CONFIG`, else `%APPDATA%\gcloud` on Windows or
 * `~/.config/gcloud`, plus `application_default_credentials.json`.
 */
export function gcloudAdcPath(env: Environment): string {
  const file = 'application_default_credentials.json';
  const path = env.platform === 'win32' ? win32 : posix;
  const override = env.get('CLOUDSDK_CONFIG');
  if (override) return path.join(override, file);
  if (env.platform === 'win32') {
    const appData = env.get('APPDATA') ?? win32.join(env.homeDir, 'AppData', 'Roaming');
    return win32.join(appData, 'gcloud', file);
  }
  return posix.join(env.homeDir, '.config', 'gcloud', file);
}

/** The ADC search order, for messages. */
export function adcSearchOrder(env: Environment): string {
  return `the file named by GOOGLE_APPLICATION_CREDENTIALS, then ${gcloudAdcPath(env)}, then the metadata server (on Google Cloud)`;
}

const DETECTIONS = ['assume-present', 'none', 'bios-only', 'ping-only'] as const;

/** How to detect the metadata server, from the variables the official clients read. */
type Detection = (typeof DETECTIONS)[number];

/**
 * gcp-metadata `isAvailable()`: METADATA_SERVER_DETECTION `assume-present` (no ping), `none` (never
 * use it), `bios-only` (residency only), `ping-only`; any other value is an error. Python
 * google-auth `_metadata`: NO_GCE_CHECK=true skips the check and assumes no metadata server.
 * @throws TokenExplorerError `bad-config` for an unknown METADATA_SERVER_DETECTION value.
 */
function metadataDetection(env: Environment): Detection {
  const raw = env.get('METADATA_SERVER_DETECTION');
  if (raw) {
    const value = raw.trim().toLowerCase();
    const known = DETECTIONS.find((d) => d === value);
    if (!known) {
      throw new TokenExplorerError(
        'bad-config',
        `METADATA_SERVER_DETECTION is "${raw.slice(0, 40)}", but it must be one of ${DETECTIONS.join(', ')}, or unset (as gcp-metadata requires).`,
      );
    }
    return known;
  }
  return env.get('NO_GCE_CHECK') === 'true' ? 'none' : 'ping-only';
}

/** gcp-metadata `getGCPResidency`: a serverless runtime's variables, or a Google BIOS. */
async function onGoogleCloud(context: ProviderContext): Promise<boolean> {
  if (['K_SERVICE', 'FUNCTION_NAME', 'CLOUD_RUN_JOB'].some((n) => context.env.get(n))) return true;
  if (context.env.platform !== 'linux') return false;
  for (const file of ['/sys/class/dmi/id/bios_vendor', '/sys/class/dmi/id/product_name']) {
    const text = await context.files.readText(file).catch(() => undefined);
    if (text && /Google/.test(text)) return true;
  }
  return false;
}

/** Whether the metadata server should be used, per {@link metadataDetection}; pings when asked to. */
async function metadataServerPresent(context: ProviderContext): Promise<boolean> {
  switch (metadataDetection(context.env)) {
    case 'assume-present':
      return true;
    case 'none':
      return false;
    case 'bios-only':
      return onGoogleCloud(context);
    case 'ping-only':
      return (await probeMetadataServer(context, Math.min(3000, context.timeoutMs))).available;
  }
}

/**
 * Finds Application Default Credentials: `GOOGLE_APPLICATION_CREDENTIALS`, then gcloud's ADC file.
 * The metadata server is asked only with `probeMetadata` (a short request for an access token).
 * @returns undefined when there are none.
 * @throws TokenExplorerError `bad-credentials` when GOOGLE_APPLICATION_CREDENTIALS names a missing
 *   file or a file is unusable.
 */
export async function findAdc(
  context: ProviderContext,
  options: { readonly probeMetadata?: boolean } = {},
): Promise<AdcLocation | undefined> {
  const envPath = context.env.get('GOOGLE_APPLICATION_CREDENTIALS');
  if (envPath) {
    const credentials = await readCredentialsFile(context.files, envPath);
    if (credentials === undefined) {
      throw new TokenExplorerError(
        'bad-credentials',
        `GOOGLE_APPLICATION_CREDENTIALS is set to ${envPath}, but there is no file there. Fix the path or unset the variable.`,
      );
    }
    return { source: 'env', path: envPath, credentials };
  }
  const adcPath = gcloudAdcPath(context.env);
  const credentials = await readCredentialsFile(context.files, adcPath);
  if (credentials !== undefined) return { source: 'gcloud-adc-file', path: adcPath, credentials };
  if (options.probeMetadata && (await metadataServerPresent(context)))
    return { source: 'metadata' };
  return undefined;
}

const sources = new WeakMap<ProviderContext, Map<string, AccessTokenSource>>();

/** The context's source for `key`, kept while its credentials are the same (parsed) object. */
function cachedSource(
  context: ProviderContext,
  key: string,
  credentials: GoogleCredentials | MetadataCredentials,
): AccessTokenSource {
  let byKey = sources.get(context);
  if (!byKey) {
    byKey = new Map();
    sources.set(context, byKey);
  }
  const hit = byKey.get(key);
  if (hit && hit.credentials === credentials) return hit;
  const source = new AccessTokenSource(credentials, context);
  byKey.set(key, source);
  return source;
}

const METADATA: MetadataCredentials = { type: 'metadata' };

/**
 * The access-token source of the ADC (or of `credentialsFile`), reused across calls with the same
 * context while the file is unchanged. Without a file, falls back to the metadata server; when
 * that is unreachable too, explains the search order.
 * @throws TokenExplorerError `no-credentials` when nothing is found, `bad-credentials` for an
 *   unusable file.
 */
export async function adcAccessTokenSource(
  context: ProviderContext,
  options: { readonly credentialsFile?: string } = {},
): Promise<AccessTokenSource> {
  if (options.credentialsFile) {
    const path = options.credentialsFile;
    const credentials = await readCredentialsFile(context.files, path);
    if (credentials === undefined) {
      throw new TokenExplorerError(
        'no-credentials',
        `The credentials file ${path} set for this account does not exist. Fix the path in the account settings, or clear it to use Application Default Credentials.`,
        { remedies: [{ kind: 'editAccountSettings' }] },
      );
    }
    return cachedSource(context, `file:${path}`, credentials);
  }
  const location = await findAdc(context);
  if (location?.credentials && location.path) {
    return cachedSource(context, `adc:${location.path}`, location.credentials);
  }
  const detection = metadataDetection(context.env);
  if (detection === 'none' || (detection === 'bios-only' && !(await onGoogleCloud(context)))) {
    throw new TokenExplorerError(
      'no-credentials',
      `No Google Application Default Credentials were found, and the metadata server is not used (${context.env.get('METADATA_SERVER_DETECTION') ? `METADATA_SERVER_DETECTION=${detection}` : 'NO_GCE_CHECK=true'}). Looked at ${adcSearchOrder(context.env)}. Run \`${ADC_LOGIN}\` (or set GOOGLE_APPLICATION_CREDENTIALS to a credentials file), then try again.`,
      { remedies: [ADC_SIGN_IN] },
    );
  }
  const metadata = cachedSource(context, 'metadata', METADATA);
  try {
    await metadata.getAccessToken();
  } catch (error) {
    if (
      error instanceof TokenExplorerError &&
      (error.code === 'network' || error.code === 'timeout')
    ) {
      throw new TokenExplorerError(
        'no-credentials',
        `No Google Application Default Credentials were found. Looked at ${adcSearchOrder(context.env)}. Run \`${ADC_LOGIN}\` (or set GOOGLE_APPLICATION_CREDENTIALS to a credentials file), then try again.`,
        { cause: error, remedies: [ADC_SIGN_IN] },
      );
    }
    throw error;
  }
  return metadata;
}
