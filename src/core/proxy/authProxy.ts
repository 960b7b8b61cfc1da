import { createServer, request as httpRequest } from 'node:http';
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  Server,
  ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { TokenExplorerError, errorMessage } from '../errors';
import type { Clock, Logger } from '../ports';
import { authHeaderValue, isLoopbackAddress, isLoopbackHost } from './loopback';
import type { TokenHeader } from './loopback';
import { diagnoseRejection } from './proxyDiagnosis';
import type { RejectedRequest } from './proxyDiagnosis';

/** What a proxy needs: where to send requests and how to get the token for each. */
export interface AuthProxyOptions {
  /** The target base URL (http or https); the client's path and query are appended to its path. */
  readonly target: URL;
  /** Header the token goes in; `Authorization` and `Proxy-Authorization` get `Bearer `. */
  readonly header: TokenHeader;
  /** A fresh ID token for the target (the token cache answers from memory while one is good). */
  readonly token: (signal: AbortSignal) => Promise<string>;
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * Explains a refusal by the target (e.g. a 401 and its `WWW-Authenticate`) in one short
   * sentence for the log line, which must not quote the token; undefined when there is nothing
   * to add. Default: Call Service's diagnosis (diagnoseRejection).
   */
  readonly diagnose?: (rejected: RejectedRequest) => string | undefined;
}

// RFC 9110 §7.6.1: connection-specific fields a proxy must not forward, plus those named in
// Connection. `host` is rewritten to the target's.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/**
 * A local authenticating reverse proxy, like `gcloud run services proxy`: listens on 127.0.0.1,
 * drops connections whose remote address is not loopback, refuses (403) requests whose Host or
 * Origin is not a loopback name (DNS rebinding; the MCP transport spec asks servers to check
 * Origin for the same reason), and forwards each request to the target with a fresh token in
 * the chosen header, replacing any value the client sent. Bodies stream both ways unbuffered
 * (Server-Sent Events and chunked responses arrive as the target writes them). One log line per
 * request: method, path without query, status, time; never headers.
 */
export class AuthProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly options: AuthProxyOptions) {
    this.server = createServer((req, res) => void this.forward(req, res));
    this.server.on('connection', (socket) => {
      const remote = socket.remoteAddress ?? '';
      if (!isLoopbackAddress(remote)) {
        options.logger.warn(`proxy refused a connection from ${remote}: not on this machine`);
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /**
   * Starts listening. Rejects with `bad-config` when the target is not an http(s) URL or the
   * port is taken.
   */
  static async start(options: AuthProxyOptions): Promise<AuthProxy> {
    if (options.target.protocol !== 'http:' && options.target.protocol !== 'https:') {
      throw new TokenExplorerError(
        'bad-config',
        `The proxy target must be an http or https URL, not "${options.target.protocol}".`,
      );
    }
    const proxy = new AuthProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new TokenExplorerError(
            'bad-config',
            `The proxy could not listen on 127.0.0.1:${options.port} (${error.code ?? error.message}). Choose another port or 0 for any free one.`,
            { cause: error },
          ),
        ),
      );
      proxy.server.listen(options.port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Stops listening and drops open connections (streams in flight end). */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = this.options.clock.now();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const line = (status: number | string, note?: string) =>
      this.options.logger.info(
        `proxy ${method} ${path} → ${status} in ${this.options.clock.now() - started} ms${note ? ` (${note})` : ''}`,
      );
    const refusal = this.refusal(req);
    if (refusal) {
      line(403, refusal);
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`${refusal}\n`);
      return;
    }
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    let token: string;
    try {
      token = await this.options.token(abort.signal);
    } catch (error) {
      const message = `Token Explorer could not get an ID token for ${this.options.target.origin}: ${errorMessage(error)}`;
      line(502, 'no token');
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`${message}\n`);
      return;
    }
    const upstreamUrl = joinTarget(this.options.target, req.url ?? '/');
    const headers = forwardedHeaders(req.headers, this.options.header);
    headers[this.options.header.toLowerCase()] = authHeaderValue(token);
    headers.host = upstreamUrl.host;
    const send = upstreamUrl.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(upstreamUrl, { method, headers, signal: abort.signal }, (reply) => {
      const status = reply.statusCode ?? 502;
      res.writeHead(status, reply.statusMessage, responseHeaders(reply.headers));
      // Forward each chunk as it arrives; an SSE stream is never buffered.
      res.flushHeaders();
      reply.pipe(res);
      reply.once('end', () => {
        const diagnose = this.options.diagnose ?? diagnoseRejection;
        const note =
          status >= 400
            ? diagnose({
                status,
                headers: reply.headers,
                token,
                url: upstreamUrl.href,
                header: this.options.header,
                nowSeconds: Math.floor(this.options.clock.now() / 1000),
              })
            : undefined;
        line(status, note);
      });
      reply.once('error', () => res.destroy());
    });
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (abort.signal.aborted) {
        line('client closed');
        return;
      }
      line(502, error.code ?? error.message);
      if (!res.headersSent) {
        res
          .writeHead(502, { 'content-type': 'text/plain' })
          .end(
            `Token Explorer's proxy could not reach ${upstreamUrl.origin} (${error.code ?? error.message}).\n`,
          );
      } else res.destroy();
    });
    req.pipe(upstream);
  }

  /** Why a request is refused, or undefined when it may be forwarded. */
  private refusal(req: IncomingMessage): string | undefined {
    // A page on another site can reach 127.0.0.1 through DNS rebinding; its Host is that name.
    if (!isLoopbackHost(req.headers.host ?? '')) return 'refused: Host is not a loopback name';
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null' && !isLoopbackOrigin(origin)) {
      return 'refused: Origin is not a loopback page';
    }
    return undefined;
  }
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).host);
  } catch {
    return false;
  }
}

/** The target URL with the client's path appended to the target's path prefix, query kept. */
export function joinTarget(target: URL, requestPath: string): URL {
  const url = new URL(target.href);
  const [pathPart = '/', ...queryParts] = requestPath.split('?');
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = `${prefix}${pathPart.startsWith('/') ? '' : '/'}${pathPart}`;
  url.search = queryParts.length > 0 ? `?${queryParts.join('?')}` : '';
  return url;
}

/** The client's headers minus hop-by-hop fields and every spelling of the token header. */
export function forwardedHeaders(
  incoming: IncomingHttpHeaders,
  tokenHeader: TokenHeader,
): OutgoingHttpHeaders {
  const named = new Set(
    String(incoming.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const replaced = tokenHeader.toLowerCase();
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || name === replaced) {
      continue;
    }
    out[name] = value;
  }
  return out;
}

function responseHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}
