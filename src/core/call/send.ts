import { TokenExplorerError } from '../errors';
import { networkStep, reasonsByCode } from '../http';
import type { Clock, Fetch } from '../ports';
import { parseServiceUrl } from './target';
import { SHOWN_HEADERS } from './types';
import type { CallRequest, CallResponse } from './types';

/** Limits of one call. */
export interface SendOptions {
  readonly timeoutMs: number;
  /** Bytes of body read at most; the rest is not downloaded (the stream is cancelled). */
  readonly maxBodyBytes: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The header line a form puts the token in. */
export const HEADER_NAMES = {
  authorization: 'Authorization',
  'x-serverless-authorization': 'X-Serverless-Authorization',
  'proxy-authorization': 'Proxy-Authorization',
} as const;

// TLS failures by Node's error code, in words (the reason ends up in the message).
const CALL_REASONS = reasonsByCode({
  ECONNREFUSED: 'connection refused (nothing is listening there)',
  'ENOTFOUND EAI_AGAIN': 'the host name could not be resolved (offline, or a typo in the URL)',
  'ECONNRESET UND_ERR_SOCKET': 'the connection was reset by the server',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  'CERT_HAS_EXPIRED DEPTH_ZERO_SELF_SIGNED_CERT SELF_SIGNED_CERT_IN_CHAIN UNABLE_TO_VERIFY_LEAF_SIGNATURE UNABLE_TO_GET_ISSUER_CERT_LOCALLY ERR_TLS_CERT_ALTNAME_INVALID CERT_NOT_YET_VALID':
    "TLS failed: the server's certificate was rejected ({code}); the token was not sent",
  'EPROTO ERR_SSL_WRONG_VERSION_NUMBER':
    'TLS failed: the server did not speak TLS there ({code}); is it http rather than https?',
});

/** Reads at most `max` bytes of a body stream, then cancels it so the rest is never downloaded. */
async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  max: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = max - size;
      if (value.byteLength > room) {
        chunks.push(value.subarray(0, room));
        size += room;
        truncated = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    if (truncated) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, truncated };
}

/** Control characters other than tab and newlines, shown as U+ markers; text stays text. */
function printable(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const control =
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
    if (!control) continue;
    out += `${text.slice(last, i)}⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
    last = i + 1;
  }
  return out + text.slice(last);
}

/**
 * Some front ends echo the credential (IAP: "Base64 decode failed on token: ya29…"); the panel
 * shows a placeholder instead, so the token never reaches the page through the body. Strings too
 * short to be a credential are left alone (they would match ordinary text).
 */
function redact(text: string, token: string): string {
  return token.length < 16 ? text : text.split(token).join('[the token you sent]');
}

/** What undici says for the ports fetch refuses (the browsers' "bad ports" list), in words. */
function badPort(error: unknown): string | undefined {
  const message = (error as { cause?: { message?: string } }).cause?.message;
  return message === 'bad port'
    ? "fetch refuses to connect to this port (it is on the browsers' list of unsafe ports, e.g. 9, 25, 6000); use another port"
    : undefined;
}

/**
 * Sends one request with the token in the chosen header and returns what came back: status,
 * timing, the headers that matter and the start of the body as text. Redirects are returned, not
 * followed (`redirect: 'manual'`), so the token never goes to another origin. The body read stops
 * at `maxBodyBytes`. The caller has already checked the transport ({@link tokenTransport}).
 * @throws TokenExplorerError `bad-config` (URL, header), `timeout`, `cancelled` or `network`
 * (unreachable host, refused connection, TLS failure), each message naming the URL and the reason
 * and never the token.
 */
export async function sendCall(
  fetch: Fetch,
  request: CallRequest,
  token: string,
  options: SendOptions,
): Promise<CallResponse> {
  const url = parseServiceUrl(request.url);
  const method = request.method.trim().toUpperCase();
  if (!/^[A-Z]+$/.test(method)) {
    throw new TokenExplorerError('bad-config', `"${method.slice(0, 40)}" is not an HTTP method.`);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    try {
      headers.set(name, value);
    } catch {
      throw new TokenExplorerError(
        'bad-config',
        `The header "${name.slice(0, 60)}" is not a valid HTTP header (name or value).`,
      );
    }
  }
  headers.set(HEADER_NAMES[request.headerForm], `Bearer ${token}`);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const where = `${url.origin}${url.pathname}`;
  const stopped = (error: unknown): TokenExplorerError | undefined => {
    if (options.signal?.aborted) {
      return new TokenExplorerError('cancelled', `The call to ${where} was cancelled.`, {
        cause: error,
      });
    }
    if (timeout.aborted) {
      return new TokenExplorerError(
        'timeout',
        `${where} did not answer within ${options.timeoutMs / 1000} s (tokenExplorer.timeoutSeconds). Check the URL and your network; the service may be starting up (a cold start).`,
        { cause: error, remedies: [{ kind: 'openSetting', key: 'tokenExplorer.timeoutSeconds' }] },
      );
    }
    return undefined;
  };
  const started = options.clock.now();
  const hasBody = method !== 'GET' && method !== 'HEAD' && request.body !== undefined;
  const response = await networkStep(
    () =>
      fetch(url.href, {
        method,
        headers,
        redirect: 'manual',
        signal,
        ...(hasBody ? { body: request.body } : {}),
      }),
    (reason) => `Could not call ${where}: ${reason}.`,
    (error) =>
      stopped(error) ??
      (badPort(error)
        ? new TokenExplorerError('network', `Could not call ${where}: ${badPort(error) ?? ''}.`, {
            cause: error,
          })
        : undefined),
    CALL_REASONS,
  );
  const { bytes, truncated } = await networkStep(
    () => readBounded(response.body, options.maxBodyBytes),
    (reason) => `${where} broke off its answer: ${reason}.`,
    stopped,
    CALL_REASONS,
  );
  const elapsedMs = options.clock.now() - started;
  const shown: Record<string, string> = {};
  for (const name of SHOWN_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) shown[name] = value;
  }
  return {
    status: response.status,
    statusText: response.statusText,
    elapsedMs,
    headers: shown,
    bodyStart: redact(printable(new TextDecoder('utf-8', { fatal: false }).decode(bytes)), token),
    bodyBytesRead: bytes.byteLength,
    bodyTruncated: truncated,
  };
}
