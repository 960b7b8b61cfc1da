import { TokenExplorerError, asClause } from './errors';
import type { Fetch } from './ports';

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

const isAbort = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

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

/**
 * When and how often the official clients send a request again. Delays are between attempts, in
 * milliseconds; their count is the number of retries.
 */
export interface RetryPolicy {
  readonly delaysMs: readonly number[];
  /** HTTP statuses worth another attempt. */
  transientStatus(status: number): boolean;
  /**
   * Whether a request that got no answer at all (refused, reset, DNS) is sent again: always,
   * never, or when the predicate says so for the error.
   */
  readonly retryWithoutAnswer: boolean | ((error: unknown) => boolean);
  /**
   * client-go: wait the answer's `Retry-After` seconds instead of the next delay, and take an
   * answer without a usable one as final.
   */
  readonly followRetryAfter?: boolean;
}

/**
 * google-auth-library and gcp-metadata, through gaxios (src/retry.ts `getRetryConfig`,
 * `shouldRetryRequest`, `getNextRetryDelay`): 3 retries of 408, 429 and 5xx answers and of requests
 * that got no answer, waiting 100 ms, then ((2^n − 1) / 2) s: 0.5 s and 1.5 s. google-auth-library
 * turns this on for its auth requests, POST included (`AuthClient.RETRY_CONFIG`); gcp-metadata
 * passes `noResponseRetries: 3` for metadata reads.
 */
export const GOOGLE_RETRY: RetryPolicy = {
  delaysMs: [100, 500, 1500],
  transientStatus: (status) => status === 408 || status === 429 || (status >= 500 && status <= 599),
  retryWithoutAnswer: true,
};

/**
 * actions/toolkit @actions/http-client as @actions/core's OidcClient configures it
 * (`allowRetries: true, maxRetries: 10`): 502, 503 and 504 answers to a GET are retried up to 10
 * times, waiting 5 ms × 2^n (n = 1…10, `ExponentialBackoffTimeSlice`, `ExponentialBackoffCeiling`);
 * a request without an answer is not retried.
 */
export const ACTIONS_TOOLKIT_RETRY: RetryPolicy = {
  delaysMs: Array.from({ length: 10 }, (_, i) => 5 * 2 ** (i + 1)),
  transientStatus: (status) => status === 502 || status === 503 || status === 504,
  retryWithoutAnswer: false,
};

/**
 * client-go's REST client (kubernetes/client-go `rest/request.go` `request()`, `maxRetries: 10`;
 * `rest/with_retry.go` `IsNextRetry`, `checkWait`, `retryAfterResponse`): up to 10 retries of a
 * 429 or 5xx answer **that carries `Retry-After`** (integer seconds, `retryAfterSeconds`),
 * waiting what it says; an answer without it is final. A failed connection becomes an artificial
 * `Retry-After: 1` answer when the error is retryable; client-go counts only resets and EOFs of a
 * GET as retryable. Here a refused connection is retried too, POST included: nothing was sent, so
 * repeating it cannot create a second token (an API server restarting, a port-forward starting).
 */
export const KUBERNETES_RETRY: RetryPolicy = {
  delaysMs: Array.from({ length: 10 }, () => 1000),
  transientStatus: (status) => status === 429 || status >= 500,
  retryWithoutAnswer: (error) => causeCode(error) === 'ECONNREFUSED',
  followRetryAfter: true,
};

/** No retry: for probes that must answer fast (gcp-metadata's detection retries 0 times). */
export const NO_RETRY: RetryPolicy = {
  delaysMs: [],
  transientStatus: () => false,
  retryWithoutAnswer: false,
};

/**
 * Errors another attempt cannot help: the server's certificate, a proxy that wants other
 * credentials, a proxy setting that is not a URL (see `net/outboundProxy.ts`).
 */
const DEFINITE_CODE =
  /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_SSL_|ERR_PROXY_AUTHENTICATION|ERR_PROXY_CONFIG)/;

/** The `code` of the error's cause (Node's fetch and our clients put the socket error there). */
function causeCode(error: unknown): string | undefined {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : undefined;
}

function isDefinite(error: unknown): boolean {
  const code = causeCode(error);
  return isAbort(error) || (code !== undefined && DEFINITE_CODE.test(code));
}

/** `Retry-After` as whole seconds (client-go reads only that form), else undefined. */
function retryAfterMs(answer: RetryableAnswer): number | undefined {
  const value = answer.headers.get('retry-after')?.trim();
  return value && /^\d{1,6}$/.test(value) ? Number(value) * 1000 : undefined;
}

/** What {@link withRetries} needs of an answer: a fetch Response, or another client's. */
export interface RetryableAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body?: ReadableStream | null;
}

/** Waits `ms`, or less when `signal` aborts (the caller then sees the abort on its next step). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Sends a request (`attempt`) and again while the policy calls the outcome transient, within
 * `deadline` (epoch ms; the configured timeout): a retry whose pause would end past it is not
 * made, and the last answer or error is what the caller gets. Aborts, certificate errors and
 * other answers end at once. Bodies of answers that are retried are discarded.
 */
export async function withRetries<T extends RetryableAnswer>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  deadline: number,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    const delay = policy.delaysMs[retry];
    const worthWaiting = (wait: number | undefined): wait is number =>
      delay !== undefined && wait !== undefined && !signal.aborted && Date.now() + wait < deadline;
    let response: T;
    try {
      response = await attempt();
    } catch (error) {
      const again =
        typeof policy.retryWithoutAnswer === 'function'
          ? policy.retryWithoutAnswer(error)
          : policy.retryWithoutAnswer;
      if (!again || isDefinite(error) || !worthWaiting(delay)) throw error;
      await pause(delay, signal);
      continue;
    }
    if (!policy.transientStatus(response.status)) return response;
    const wait = policy.followRetryAfter ? retryAfterMs(response) : delay;
    if (!worthWaiting(wait)) return response;
    await response.body?.cancel().catch(() => undefined);
    await pause(wait, signal);
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
