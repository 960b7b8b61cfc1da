// Application Default Credentials: the search order, and one cached access-token source per file.
import { posix, win32 } from 'node:path';
import { TokenExplorerError } from '../../errors';
import type { Environment } from '../../ports';
import type { ProviderContext } from '../provider';
import { AccessTokenSource } from './accessTokenSource';
import { readCredentialsFile } from './credentialFiles';
import type { AdcLocation, GoogleCredentials, MetadataCredentials } from './credentials';
import { ADC_LOGIN } from './credentials';
import { probeMetadataServer } from './metadata';

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
  if (options.probeMetadata) {
    const probe = await probeMetadataServer(context, Math.min(3000, context.timeoutMs));
    if (probe.available) return { source: 'metadata' };
  }
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
      );
    }
    return cachedSource(context, `file:${path}`, credentials);
  }
  const location = await findAdc(context);
  if (location?.credentials && location.path) {
    return cachedSource(context, `adc:${location.path}`, location.credentials);
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
        { cause: error },
      );
    }
    throw error;
  }
  return metadata;
}
