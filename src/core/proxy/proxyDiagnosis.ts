import type { IncomingHttpHeaders } from 'node:http';
import { diagnose } from '../call/diagnose';
import { SHOWN_HEADERS } from '../call/types';
import type { HeaderForm } from '../call/types';
import type { TokenHeader } from './loopback';

/** What the proxy knows about a rejected request when it writes the log line. */
export interface RejectedRequest {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The token the proxy sent; read by the diagnosis, never returned. */
  readonly token: string;
  readonly url: string;
  readonly header: TokenHeader;
  readonly nowSeconds: number;
}

/**
 * Why the target refused (401/403), for the proxy's log line: the titles of the two
 * most severe findings of Call Service's diagnosis (src/core/call), which never quotes the token.
 * Undefined for other statuses or when the diagnosis finds nothing to say.
 */
export function diagnoseRejection(request: RejectedRequest): string | undefined {
  if (request.status !== 401 && request.status !== 403) return undefined;
  const headers: Record<string, string> = {};
  for (const name of SHOWN_HEADERS) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const { findings } = diagnose({
    token: request.token,
    url: request.url,
    headerForm: request.header.toLowerCase() as HeaderForm,
    nowSeconds: request.nowSeconds,
    clockSkewSeconds: 60,
    response: {
      status: request.status,
      statusText: '',
      elapsedMs: 0,
      headers,
      bodyStart: '',
      bodyBytesRead: 0,
      bodyTruncated: false,
    },
  });
  const titles = findings
    .filter((f) => f.severity === 'error' || f.severity === 'warning')
    .slice(0, 2)
    .map((f) => f.title);
  return titles.length > 0 ? titles.join('; ') : undefined;
}
