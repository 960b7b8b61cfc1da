import { TokenExplorerError } from './errors';
import type { Fetch } from './ports';

/** Why a connection failed, in words, from the error codes Node's fetch puts in `cause`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing is listening there)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name could not be resolved (offline, or a typo in the URL)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was reset by the server';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return `the server's TLS certificate was rejected (${cause.code})`;
    default:
      return cause?.message ?? (error instanceof Error ? error.message : String(error));
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
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      signal: init.signal ?? AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json', ...(init.headers as Record<string, string>) },
    });
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new TokenExplorerError(
        'timeout',
        `${url} did not answer within ${timeoutMs / 1000} s.`,
        {
          cause: error,
        },
      );
    }
    throw new TokenExplorerError('network', `Could not reach ${url}: ${networkReason(error)}.`, {
      cause: error,
    });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new TokenExplorerError(
      'network',
      `${url} broke off its answer: ${networkReason(error)}.`,
      {
        cause: error,
      },
    );
  }
  if (!response.ok) {
    throw new TokenExplorerError(
      'http-status',
      `${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw new TokenExplorerError('bad-response', `${url} did not answer with JSON (${type}).`);
  }
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
  const aborted = (error: unknown): TokenExplorerError =>
    options.signal?.aborted
      ? new TokenExplorerError('cancelled', `The request to ${url} was cancelled.`, {
          cause: error,
        })
      : new TokenExplorerError(
          'timeout',
          `${url} did not answer within ${options.timeoutMs / 1000} s. Check your network or proxy, then try again.`,
          { cause: error },
        );
  const isAbort = (error: unknown): boolean =>
    error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body,
      signal,
      headers: { accept: 'application/json', 'content-type': contentType, ...options.headers },
    });
  } catch (error) {
    if (isAbort(error) || signal.aborted) throw aborted(error);
    throw new TokenExplorerError('network', `Could not reach ${url}: ${networkReason(error)}.`, {
      cause: error,
    });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (isAbort(error) || signal.aborted) throw aborted(error);
    throw new TokenExplorerError(
      'network',
      `${url} broke off its answer: ${networkReason(error)}.`,
      {
        cause: error,
      },
    );
  }
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
      `${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${said ? ` (${clip(said)})` : ''}.${hint}`,
      { cause: failure },
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw new TokenExplorerError(
      'bad-response',
      `${url} did not answer with JSON (${type}); is the endpoint URL right?`,
    );
  }
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
