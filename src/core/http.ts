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
