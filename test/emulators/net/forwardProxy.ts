import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/** One request the proxy received. */
export interface ProxiedRequest {
  /** `CONNECT`, or the method of a forwarded plain-HTTP request. */
  readonly method: string;
  /** `host:port` of a CONNECT, or the absolute URI of a forwarded request. */
  readonly target: string;
  /** The `Proxy-Authorization` the client sent, if any. */
  readonly proxyAuthorization?: string;
  /** The answer the proxy gave itself (200 tunnel, 407, 502) or the upstream status. */
  status?: number;
}

/**
 * A forward proxy like a corporate one (Squid, tinyproxy), as a real HTTP server on 127.0.0.1:
 * - `CONNECT host:port` opens a TCP tunnel (RFC 9110 §9.3.6: a 2xx answer makes the connection a
 *   tunnel; the proxy answers 502 Bad Gateway when it cannot reach the target, as Squid does);
 * - a request in absolute form (`GET http://host:port/path`, RFC 9112 §3.2.2, what curl, Go and
 *   undici send for http:// targets through an HTTP proxy) is forwarded, `Proxy-Authorization`
 *   removed (a hop-by-hop credential, RFC 9110 §11.7.2);
 * - with `requiredAuthorization` set, anything without that exact `Proxy-Authorization` gets 407
 *   with `Proxy-Authenticate: Basic realm=…` (RFC 9110 §15.5.8, §11.7.1);
 * - a request in origin form (`GET /path`) is not a proxy request: 400.
 * Host names are resolved by the proxy, not the client (as on a network where only the proxy
 * has DNS): `hosts` maps names such as `idp.test` to an address here.
 */
export class ForwardProxy {
  readonly requests: ProxiedRequest[] = [];
  /** Host name → address the proxy connects to instead (the port is kept). */
  readonly hosts = new Map<string, string>();
  /** The `Proxy-Authorization` value required, or undefined for an open proxy. */
  requiredAuthorization: string | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => this.forward(req, res));

  static async start(): Promise<ForwardProxy> {
    const proxy = new ForwardProxy();
    proxy.server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      proxy.tunnel(req, socket, head),
    );
    proxy.server.on('connection', (socket: Socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(req: IncomingMessage, target: string): ProxiedRequest {
    const auth = req.headers['proxy-authorization'];
    const entry: ProxiedRequest = {
      method: req.method ?? '',
      target,
      ...(auth ? { proxyAuthorization: auth } : {}),
    };
    this.requests.push(entry);
    return entry;
  }

  private authorized(req: IncomingMessage): boolean {
    return (
      this.requiredAuthorization === undefined ||
      req.headers['proxy-authorization'] === this.requiredAuthorization
    );
  }

  private resolve(host: string): string {
    return this.hosts.get(host.toLowerCase()) ?? host;
  }

  private tunnel(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const target = req.url ?? '';
    const entry = this.record(req, target);
    const answer = (status: number, reason: string, extra = '') => {
      entry.status = status;
      socket.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\n\r\n`);
    };
    if (!this.authorized(req)) {
      answer(
        407,
        'Proxy Authentication Required',
        'Proxy-Authenticate: Basic realm="emulated"\r\n',
      );
      return;
    }
    const match = /^([^:]+|\[[^\]]+\]):(\d+)$/.exec(target);
    if (!match) {
      answer(400, 'Bad Request');
      return;
    }
    const host = this.resolve((match[1] ?? '').replace(/^\[|\]$/g, ''));
    const upstream = connect(Number(match[2]), host);
    upstream.once('error', () => {
      if (entry.status === undefined) answer(502, 'Bad Gateway');
      else socket.destroy();
    });
    upstream.once('connect', () => {
      entry.status = 200;
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '';
    if (!/^http:\/\//i.test(target)) {
      this.record(req, target).status = 400;
      res.writeHead(400, { 'content-type': 'text/plain' }).end('not a proxy request\n');
      return;
    }
    const entry = this.record(req, target);
    if (!this.authorized(req)) {
      entry.status = 407;
      res
        .writeHead(407, { 'proxy-authenticate': 'Basic realm="emulated"' })
        .end('proxy authentication required\n');
      return;
    }
    const url = new URL(target);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: this.resolve(url.hostname),
        port: url.port || 80,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers,
      },
      (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway\n');
    });
    req.pipe(upstream);
  }
}
