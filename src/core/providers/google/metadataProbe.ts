import { NO_RETRY } from '../../retries';
import type { ProviderContext } from '../provider';
import { metadataBaseUrl, metadataGet, statusError } from './metadataServer';

/** What "Detect credentials" learned about a metadata server. */
export interface MetadataProbe {
  available: boolean;
  /** The default service account's email. */
  email?: string;
  project?: string;
  /** Why it is not available, in words. */
  reason?: string;
}

/** Environment variables that tell where the code runs although the server did not answer. */
const RESIDENCY_HINTS: readonly (readonly [string, string])[] = [
  ['K_SERVICE', 'Cloud Run service'],
  ['CLOUD_RUN_JOB', 'Cloud Run job'],
  ['FUNCTION_NAME', 'Cloud Functions'],
];

async function optionalText(
  context: ProviderContext,
  url: string,
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    const answer = await metadataGet(context, url, timeoutMs);
    const text = answer.text.trim();
    return answer.status === 200 && text ? text : undefined;
  } catch {
    // The ping already proved the server; a missing detail only leaves its field empty.
    return undefined;
  }
}

/**
 * Pings the metadata server (at GCE_METADATA_HOST and friends, else 169.254.169.254) with a short
 * bound, then reads the default service account's email and the project id. Never throws: an
 * absent server is the common case off Google Cloud, reported in `reason` (so is a cancel).
 */
export async function probeMetadataServer(
  context: ProviderContext,
  timeoutMs = 1500,
  signal?: AbortSignal,
): Promise<MetadataProbe> {
  const base = metadataBaseUrl(context);
  try {
    const ping = await metadataGet(
      context,
      `${base}/computeMetadata/v1/instance`,
      timeoutMs,
      signal,
      NO_RETRY,
    );
    if (ping.status !== 200) throw statusError(ping, base, 'default');
  } catch (error) {
    const hint = RESIDENCY_HINTS.find(([name]) => context.env.get(name) !== undefined);
    const reason = error instanceof Error ? error.message : String(error);
    return {
      available: false,
      reason: hint
        ? `${reason} (${hint[0]} is set, which suggests ${hint[1]}, yet the server did not answer.)`
        : reason,
    };
  }
  const [email, project] = await Promise.all([
    optionalText(
      context,
      `${base}/computeMetadata/v1/instance/service-accounts/default/email`,
      timeoutMs,
    ),
    optionalText(context, `${base}/computeMetadata/v1/project/project-id`, timeoutMs),
  ]);
  return {
    available: true,
    ...(email ? { email } : {}),
    ...(project ? { project } : {}),
  };
}
