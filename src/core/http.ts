import { TokenExplorerError, asClause } from './errors';
import type { Fetch } from './ports';
import { GOOGLE_RETRY, isAbort, withRetries } from './retries';

/**
 * Connection failures in words, by the error code Node's fetch puts in `cause`. Keys may list
 * several codes separated by spaces; `{code}` in a reason stands for the code itself.
 */
export function reasonsByCode(
  table: Readonly<Record<string, string>>,
): ReadonlyMap<string, string> {
  const reasons = new Map<string, string>();
  for (const [codes, reason] of Object.entries(table)) {
    for (const code of codes.split(' ')) reasons.set(code, reason.replace('{code}', code));
  }
  return reasons;
}

/**
 * TLS failures, with the fix: Node's OpenSSL codes (`X509_V_ERR_*` names without the prefix) for
 * a certificate this computer does not trust (most often a corporate proxy that re-signs TLS), one
 * not valid now, or one for another host name. VS Code's extension host trusts the operating
 * system's CAs only with `http.systemCertificates` on; `NODE_EXTRA_CA_CERTS` adds a PEM bundle to
 * any Node process (nodejs.org/api/cli.html#node_extra_ca_certsfile).
 */
export const TLS_REASONS: Readonly<Record<string, string>> = {
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY UNABLE_TO_GET_ISSUER_CERT UNABLE_TO_VERIFY_LEAF_SIGNATURE SELF_SIGNED_CERT_IN_CHAIN DEPTH_ZERO_SELF_SIGNED_CERT CERT_UNTRUSTED CERT_SIGNATURE_FAILURE':
    "the server's TLS certificate is not signed by a CA this computer trusts ({code}). On a corporate network a proxy that inspects TLS re-signs certificates with its own CA: turn on the VS Code setting http.systemCertificates if that CA is in your operating system's store, or set NODE_EXTRA_CA_CERTS to a PEM file holding it and restart VS Code",
  'CERT_HAS_EXPIRED CERT_NOT_YET_VALID':
    "the server's TLS certificate is not valid now ({code}): check this computer's clock; if it is right, the server (or a TLS-inspecting proxy in between) has an expired certificate",
  ERR_TLS_CERT_ALTNAME_INVALID:
    "the server's TLS certificate is issued for another host name ({code}): a proxy or captive portal may be answering instead of the server, or the URL names the server by an address its certificate does not hold",
};

const NETWORK_REASONS = reasonsByCode({
  ECONNREFUSED: 'connection refused (nothing is listening there)',
  'ENOTFOUND EAI_AGAIN': 'the host name could not be resolved (offline, or a typo in the URL)',
  'ECONNRESET UND_ERR_SOCKET': 'the connection was reset by the server',
  ...TLS_REASONS,
});

/** Why a connection failed, in words: the reason for its code, else what Node said. */
function networkReason(error: unknown, reasons: ReadonlyMap<string, string>): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (
    reasons.get(cause?.code ?? '') ??
    cause?.message ??
    (error instanceof Error ? error.message : String(error))
  );
}

/**
 * Awaits one network step of a request (connecting, or reading the answer). A failure becomes what
 * `stopped` makes of it (a cancellation or a timeout), else a `network` error that `failed` words
 * around the reason.
 */
export async function networkStep<T>(
  step: () => Promise<T>,
  failed: (reason: string) => string,
  stopped: (error: unknown) => TokenExplorerError | undefined = () => undefined,
  reasons: ReadonlyMap<string, string> = NETWORK_REASONS,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw (
      stopped(error) ??
      new TokenExplorerError('network', failed(asClause(networkReason(error, reasons))), {
        cause: error,
      })
    );
  }
}

/** `URL answered HTTP 404 Not Found`. */
function answered(url: string, response: Response): string {
  return `${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}

/** The JSON body; `end` closes the message of a body that is not JSON. */
function parseJson(url: string, response: Response, text: string, end = '.'): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw new TokenExplorerError('bad-response', `${url} did not answer with JSON (${type})${end}`);
  }
}

/**
 * GETs a URL and parses its JSON body, with a hard timeout. Every failure becomes a
 * TokenExplorerError whose message names the URL and the reason (no request headers, which may
 * hold credentials).
 */
export async function fetchJson(
  fetch: Fetch,
  url: string,
  timeoutMs: number,
  init: RequestInit = {},
): Promise<unknown> {
  const signal = init.signal ?? AbortSignal.timeout(timeoutMs);
  const deadline = Date.now() + timeoutMs;
  const response = await networkStep(
    () =>
      withRetries(
        () =>
          fetch(url, {
            ...init,
            signal,
            headers: { accept: 'application/json', ...(init.headers as Record<string, string>) },
          }),
        GOOGLE_RETRY,
        signal,
        deadline,
      ),
    (reason) => `Could not reach ${url}: ${reason}.`,
    (error) =>
      isAbort(error)
        ? new TokenExplorerError('timeout', `${url} did not answer within ${timeoutMs / 1000} s.`, {
            cause: error,
          })
        : undefined,
  );
  const text = await networkStep(
    () => response.text(),
    (reason) => `${url} broke off its answer: ${reason}.`,
  );
  if (!response.ok) throw new TokenExplorerError('http-status', `${answered(url, response)}.`);
  return parseJson(url, response, text);
}

/** What a failed HTTP call reported, kept as the `cause` of an `http-status` error. */
export interface HttpFailure {
  readonly status: number;
  /** OAuth `error` (e.g. `invalid_grant`) or Google's `error.status` (e.g. `PERMISSION_DENIED`). */
  readonly error?: string;
  /** OAuth `error_description` or Google's `error.message`. */
  readonly description?: string;
  /** Seconds from a `Retry-After` header. */
  readonly retryAfterSeconds?: number;
}

/** The HttpFailure behind an `http-status` TokenExplorerError thrown by postForm/postJson. */
export function httpFailure(error: unknown): HttpFailure | undefined {
  if (!(error instanceof TokenExplorerError) || error.code !== 'http-status') return undefined;
  const cause = error.cause as Partial<HttpFailure> | undefined;
  return typeof cause?.status === 'number' ? (cause as HttpFailure) : undefined;
}

/** Options of {@link postForm} and {@link postJson}. */
export interface PostOptions {
  readonly timeoutMs: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Cancels the call; reported as `cancelled`, unlike the timeout (`timeout`). */
  readonly signal?: AbortSignal;
}

const MAX_SERVER_TEXT = 300;

/** Reads Google's `{error:{code,message,status}}` and OAuth's `{error, error_description}`. */
function readErrorBody(text: string): { error?: string; description?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const { error, error_description: description } = body as Record<string, unknown>;
  if (typeof error === 'string') {
    return { error, ...(typeof description === 'string' ? { description } : {}) };
  }
  if (typeof error === 'object' && error !== null) {
    const { message, status } = error as Record<string, unknown>;
    return {
      ...(typeof status === 'string' ? { error: status } : {}),
      ...(typeof message === 'string' ? { description: message } : {}),
    };
  }
  return {};
}

function clip(text: string): string {
  return text.length > MAX_SERVER_TEXT ? `${text.slice(0, MAX_SERVER_TEXT)}…` : text;
}

async function post(
  fetch: Fetch,
  url: string,
  body: string,
  contentType: string,
  options: PostOptions,
): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const deadline = Date.now() + options.timeoutMs;
  const stopped = (error: unknown): TokenExplorerError | undefined =>
    !isAbort(error) && !signal.aborted
      ? undefined
      : options.signal?.aborted
        ? new TokenExplorerError('cancelled', `The request to ${url} was cancelled.`, {
            cause: error,
          })
        : new TokenExplorerError(
            'timeout',
            `${url} did not answer within ${options.timeoutMs / 1000} s. Check your network or proxy, then try again.`,
            { cause: error },
          );
  const response = await networkStep(
    () =>
      withRetries(
        () =>
          fetch(url, {
            method: 'POST',
            body,
            signal,
            headers: {
              accept: 'application/json',
              'content-type': contentType,
              ...options.headers,
            },
          }),
        GOOGLE_RETRY,
        signal,
        deadline,
      ),
    (reason) => `Could not reach ${url}: ${reason}.`,
    stopped,
  );
  const text = await networkStep(
    () => response.text(),
    (reason) => `${url} broke off its answer: ${reason}.`,
    stopped,
  );
  if (!response.ok) {
    const { error, description } = readErrorBody(text);
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
    const failure: HttpFailure = {
      status: response.status,
      ...(error ? { error } : {}),
      ...(description ? { description } : {}),
      ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
    };
    const said = [error, description].filter(Boolean).join(': ');
    const hint =
      response.status === 429
        ? ` Too many requests: wait${failure.retryAfterSeconds !== undefined ? ` ${failure.retryAfterSeconds} s` : ''} and try again.`
        : response.status >= 500
          ? ' The service had a problem; try again in a moment.'
          : '';
    throw new TokenExplorerError(
      'http-status',
      `${answered(url, response)}${said ? ` (${clip(said)})` : ''}.${hint}`,
      { cause: failure },
    );
  }
  return parseJson(url, response, text, '; is the endpoint URL right?');
}

/**
 * POSTs an `application/x-www-form-urlencoded` body and parses the JSON answer. Failures are
 * TokenExplorerErrors naming the URL and the reason; an HTTP error status carries the server's
 * OAuth or Google error (see {@link httpFailure}) but never the request body, which may hold
 * credentials.
 */
export async function postForm(
  fetch: Fetch,
  url: string,
  form: Readonly<Record<string, string | undefined>>,
  options: PostOptions,
): Promise<unknown> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    if (value !== undefined) params.set(name, value);
  }
  return post(fetch, url, params.toString(), 'application/x-www-form-urlencoded', options);
}

/** POSTs a JSON body and parses the JSON answer; failures as for {@link postForm}. */
export async function postJson(
  fetch: Fetch,
  url: string,
  body: unknown,
  options: PostOptions,
): Promise<unknown> {
  return post(fetch, url, JSON.stringify(body), 'application/json', options);
}
