import { TokenExplorerError } from '../../errors';
import { type Remedy, withRemedies } from '../../remedies';
import type { RetryPolicy } from '../../http';
import { GOOGLE_RETRY, NO_RETRY, networkStep, reasonsByCode, withRetries } from '../../http';
import { expiryOf } from './tokenResponses';
import type { Account, MintedToken, Provider, ProviderContext } from '../provider';
import { EMAIL } from './settings';
import { assertSettingsValid } from '../settings';

const DEFAULT_HOST = '169.254.169.254';
const FLAVOR_HEADER = 'Metadata-Flavor';
const FLAVOR = 'Google';
/** Longest piece of a server's error text quoted in a message. */
const MAX_BODY_EXCERPT = 200;

/** The settings of a `google-metadata` account, read leniently (validate reports problems). */
interface MetadataSettings {
  readonly endpoint?: string;
  readonly serviceAccount: string;
  readonly format: 'full' | 'standard';
  readonly licenses: boolean;
}

function readSettings(account: Account): MetadataSettings {
  const { endpoint, serviceAccount, format, licenses } = account.settings;
  return {
    ...(typeof endpoint === 'string' && endpoint.trim() ? { endpoint: endpoint.trim() } : {}),
    serviceAccount:
      typeof serviceAccount === 'string' && serviceAccount.trim()
        ? serviceAccount.trim()
        : 'default',
    format: format === 'standard' ? 'standard' : 'full',
    licenses: licenses === true,
  };
}

function withScheme(host: string): string {
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

interface MetadataAnswer {
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
async function metadataGet(
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
function statusError(
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

/** The minted token from a body that must be exactly one JWT with an `exp`. */
function tokenFromBody(text: string, url: string): MintedToken {
  const token = text.trim();
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
    throw new TokenExplorerError(
      'bad-response',
      `The metadata server at ${url} answered something that is not a JWT (${text.length} characters). Check the endpoint setting.`,
    );
  }
  const exp = expiryOf(token);
  if (exp === undefined) {
    throw new TokenExplorerError(
      'bad-response',
      `The metadata server at ${url} answered a token without a readable exp claim.`,
    );
  }
  return { token, expiresAt: Math.round(exp * 1000) };
}

/** Keeps `@` readable in the path, as the official clients send it. */
function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@');
}

/** The identity URL for an account and audience. */
function identityUrl(
  base: string,
  settings: { serviceAccount: string; format: 'full' | 'standard'; licenses: boolean },
  audience: string,
): string {
  const query = new URLSearchParams({ audience, format: settings.format });
  if (settings.format === 'full' && settings.licenses) query.set('licenses', 'TRUE');
  const account = pathSegment(settings.serviceAccount);
  return `${base}/computeMetadata/v1/instance/service-accounts/${account}/identity?${query}`;
}

/**
 * `format=standard` tokens carry no `email`/`email_verified` (Compute Engine docs, "Verify the
 * identity of instances"; google-auth-library-nodejs PR #874): IAP and services that authorise by
 * email reject them.
 */
const STANDARD_FORMAT_WARNING =
  'Metadata server: this account asks for token format "standard", whose tokens carry no email (and no email_verified); IAP and services that check the caller\'s email reject them. Use format "full" (the default) unless the receiver wants the short form.';

/** Off Google Cloud there is no metadata server: another method, or an emulator's endpoint. */
const UNREACHABLE: readonly Remedy[] = [
  { kind: 'retry' },
  { kind: 'switchMethod' },
  { kind: 'editAccountSettings' },
];

/** Mints an ID token from the metadata server of the GCE VM, Cloud Run service, GKE pod, … */
export const metadataProvider: Provider = {
  kind: 'google-metadata',
  label: 'Google Cloud: metadata server',

  async mint(account, request, context) {
    assertSettingsValid(metadataProvider.validate(account), account);
    const settings = readSettings(account);
    const base = metadataBaseUrl(context, settings.endpoint);
    const url = identityUrl(base, settings, request.audience);
    if (settings.format === 'standard') context.logger.warn(STANDARD_FORMAT_WARNING);
    const answer = await metadataGet(context, url, context.timeoutMs, request.signal).catch(
      (error: unknown) => {
        throw withRemedies(error, UNREACHABLE, ['network', 'timeout']);
      },
    );
    const shownUrl = url.split('?')[0] ?? url;
    if (answer.status !== 200) throw statusError(answer, shownUrl, settings.serviceAccount);
    return tokenFromBody(answer.text, shownUrl);
  },

  validate(account) {
    const problems: string[] = [];
    const { endpoint, serviceAccount, format, licenses } = account.settings;
    if (endpoint !== undefined) {
      if (typeof endpoint !== 'string' || !URL.canParse(withScheme(endpoint.trim()))) {
        problems.push('The endpoint must be a host (e.g. 127.0.0.1:8080) or an http(s) URL.');
      } else if (/\/computeMetadata/i.test(endpoint)) {
        problems.push('The endpoint is the server only, without /computeMetadata/v1.');
      }
    }
    if (
      serviceAccount !== undefined &&
      (typeof serviceAccount !== 'string' ||
        (serviceAccount.trim() !== 'default' &&
          serviceAccount.trim() !== '' &&
          !EMAIL.test(serviceAccount.trim())))
    ) {
      problems.push('The service account must be "default" or a service account email.');
    }
    if (format !== undefined && format !== 'full' && format !== 'standard') {
      problems.push('The token format must be "full" or "standard".');
    }
    if (licenses !== undefined && typeof licenses !== 'boolean') {
      problems.push('"licenses" must be true or false.');
    } else if (licenses === true && format === 'standard') {
      problems.push('License codes are only included in the "full" token format.');
    }
    return problems;
  },

  describe(account) {
    const { endpoint, serviceAccount, format } = readSettings(account);
    const who = serviceAccount === 'default' ? 'default service account' : serviceAccount;
    const standard = format === 'standard' ? ' (format standard: no email, IAP rejects it)' : '';
    return `Metadata server: ${who}${endpoint ? ` at ${endpoint}` : ''}${standard}`;
  },
};

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
