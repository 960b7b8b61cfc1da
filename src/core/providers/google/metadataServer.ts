import { TokenExplorerError } from '../../errors';
import type { RetryPolicy } from '../../retries';
import { networkStep, reasonsByCode } from '../../http';
import { GOOGLE_RETRY, withRetries } from '../../retries';
import type { ProviderContext } from '../provider';

/**
 * The GCE metadata server as the Google clients talk to it: where it is, one GET with its
 * `Metadata-Flavor` header, retries and timeout, and each documented non-200 answer in words.
 * The ID token provider is `metadata.ts`; Detect Credentials' probe is `metadataProbe.ts`.
 */

const DEFAULT_HOST = '169.254.169.254';
const FLAVOR_HEADER = 'Metadata-Flavor';
const FLAVOR = 'Google';
/** Longest piece of a server's error text quoted in a message. */
const MAX_BODY_EXCERPT = 200;

/** `http://` before a host without a scheme, no trailing slash. */
export function withScheme(host: string): string {
  const base = /^https?:\/\//i.test(host) ? host : `http://${host}`;
  return base.replace(/\/+$/, '');
}

/**
 * The metadata server's base URL: the account's `endpoint`, else the host the official clients
 * read from `GCE_METADATA_HOST` (older `GCE_METADATA_ROOT`) or `GCE_METADATA_IP`, else
 * 169.254.169.254. `http://` is prefixed when no scheme is given. (gcp-metadata prefers
 * GCE_METADATA_IP over GCE_METADATA_HOST; the Python client uses HOST for data, as we do.)
 */
export function metadataBaseUrl(context: Pick<ProviderContext, 'env'>, endpoint?: string): string {
  const { env } = context;
  const host =
    endpoint ??
    env.get('GCE_METADATA_HOST') ??
    env.get('GCE_METADATA_ROOT') ??
    env.get('GCE_METADATA_IP') ??
    DEFAULT_HOST;
  return withScheme(host.trim() || DEFAULT_HOST);
}

/** Why the metadata server could not be reached, by the code Node's fetch puts in `cause`. */
const UNREACHABLE_REASONS = reasonsByCode({
  ECONNREFUSED: 'connection refused (nothing is listening there)',
  'EHOSTUNREACH ENETUNREACH EHOSTDOWN':
    'the address is unreachable (this machine is probably not on Google Cloud)',
  'ENOTFOUND EAI_AGAIN': 'the host name could not be resolved',
  'ECONNRESET UND_ERR_SOCKET': 'the connection was reset',
});

export interface MetadataAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * One GET to the metadata server with the `Metadata-Flavor: Google` header and a hard timeout,
 * sent again as gcp-metadata does while the server refuses connections (a cold start) or answers
 * 5xx, within the timeout (`policy`: GOOGLE_RETRY, or NO_RETRY for detection, which gcp-metadata
 * does not retry). Rejects answers without that header: whatever answered is not a metadata
 * server (a proxy, a captive portal, another service on the port).
 */
export async function metadataGet(
  context: Pick<ProviderContext, 'fetch'>,
  url: string,
  timeoutMs: number,
  signal?: AbortSignal,
  policy: RetryPolicy = GOOGLE_RETRY,
): Promise<MetadataAnswer> {
  // The query (the audience) is left out of messages: it is long and not what went wrong.
  const shownUrl = url.split('?')[0] ?? url;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const stopped = (error: unknown): TokenExplorerError | undefined => {
    if (signal?.aborted) {
      return new TokenExplorerError('cancelled', `The request to ${shownUrl} was cancelled.`, {
        cause: error,
      });
    }
    if (timeout.aborted) {
      return new TokenExplorerError(
        'timeout',
        `The metadata server at ${shownUrl} did not answer within ${timeoutMs / 1000} s. Outside Google Cloud there is no metadata server; set the account's endpoint (or GCE_METADATA_HOST) if you use an emulator.`,
        { cause: error },
      );
    }
    return undefined;
  };
  const deadline = Date.now() + timeoutMs;
  const response = await networkStep(
    () =>
      withRetries(
        () =>
          context.fetch(url, {
            headers: { [FLAVOR_HEADER]: FLAVOR },
            signal: combined,
            redirect: 'follow',
          }),
        policy,
        combined,
        deadline,
      ),
    (reason) => `Could not reach the metadata server at ${shownUrl}: ${reason}.`,
    stopped,
    UNREACHABLE_REASONS,
  );
  const text = await networkStep(
    () => response.text(),
    (reason) => `The metadata server at ${shownUrl} broke off its answer: ${reason}.`,
    stopped,
    UNREACHABLE_REASONS,
  );
  if (response.headers.get(FLAVOR_HEADER) !== FLAVOR) {
    throw new TokenExplorerError(
      'bad-response',
      `${shownUrl} is not a metadata server: its answer (HTTP ${response.status}) lacks the "${FLAVOR_HEADER}: ${FLAVOR}" header. Check the endpoint setting and GCE_METADATA_HOST.`,
    );
  }
  return { status: response.status, headers: response.headers, text };
}

function excerpt(text: string): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!flat) return '';
  return flat.length > MAX_BODY_EXCERPT ? `${flat.slice(0, MAX_BODY_EXCERPT)}…` : flat;
}

/** The error for a non-200 answer, explaining the cases the metadata server documents. */
export function statusError(
  answer: MetadataAnswer,
  url: string,
  serviceAccount: string,
): TokenExplorerError {
  const said = excerpt(answer.text);
  const quoted = said ? `: "${said}"` : '';
  switch (answer.status) {
    case 400:
      if (/audience/i.test(answer.text)) {
        return new TokenExplorerError(
          'bad-config',
          `The metadata server refused to mint an ID token without an audience (HTTP 400${quoted}). Enter the audience: the URL of the service that will receive the token.`,
        );
      }
      break;
    case 403:
      return new TokenExplorerError(
        'permission-denied',
        `The metadata server at ${url} answered HTTP 403 Forbidden${quoted}. It refuses requests without the Metadata-Flavor header or sent through a proxy (X-Forwarded-For); check proxy settings.`,
      );
    case 404:
      return new TokenExplorerError(
        'bad-config',
        serviceAccount === 'default'
          ? `The metadata server has no default service account (HTTP 404). Attach a service account to this VM, Cloud Run service or function.`
          : `The service account ${serviceAccount} is not attached here (HTTP 404 from the metadata server). Use "default" or the email of the attached service account.`,
      );
    case 429:
    case 503: {
      const retry = answer.headers.get('retry-after');
      return new TokenExplorerError(
        'http-status',
        `The metadata server is busy (HTTP ${answer.status}${quoted}); try again${retry ? ` in ${retry} s` : ' in a moment'}.`,
      );
    }
    default:
      break;
  }
  return new TokenExplorerError(
    'http-status',
    `The metadata server at ${url} answered HTTP ${answer.status}${quoted}.${answer.status >= 500 ? ' Try again in a moment.' : ''}`,
  );
}

/**
 * An OAuth access token of the default service account from the metadata server, for the ADC
 * fallback. The token never appears in an error message.
 */
export async function metadataAccessToken(
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<{ accessToken: string; expiresAt: number }> {
  const url = `${metadataBaseUrl(context)}/computeMetadata/v1/instance/service-accounts/default/token`;
  const answer = await metadataGet(context, url, context.timeoutMs, signal);
  if (answer.status !== 200) throw statusError(answer, url, 'default');
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  const { access_token: accessToken, expires_in: expiresIn } = (body ?? {}) as Record<
    string,
    unknown
  >;
  if (typeof accessToken !== 'string' || !accessToken || typeof expiresIn !== 'number') {
    throw new TokenExplorerError(
      'bad-response',
      `The metadata server at ${url} did not answer with {access_token, expires_in}.`,
    );
  }
  return { accessToken, expiresAt: context.clock.now() + expiresIn * 1000 };
}
