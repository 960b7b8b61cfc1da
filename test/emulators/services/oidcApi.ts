/**
 * A plain OIDC-protected API on 127.0.0.1 that answers as RFC 6750 §3 describes: no token → 401
 * with a bare `WWW-Authenticate: Bearer realm="…"` (§3.1: no error code when the request had no
 * credentials); a bad token → 401 `error="invalid_token"` with `error_description`; a token without
 * the needed scope → 403 `error="insufficient_scope"` with `scope`. It also serves the awkward
 * answers Call Service must survive: a cross-origin redirect, a 5 MB body, HTML with script, and
 * a request that never answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compactVerify, createRemoteJWKSet, decodeJwt } from 'jose';
import type { JWTPayload } from 'jose';
import { HttpEmulator } from '../httpServer';

export interface OidcApiOptions {
  readonly jwksUrl: string;
  readonly issuer: string;
  /** Accepted audiences (default: the API's own URL). */
  readonly audiences?: readonly string[];
  /** Scope a token must carry in `scope` for /admin. */
  readonly adminScope?: string;
}

const REALM = 'token-explorer-test-api';
export const BIG_BODY_BYTES = 5 * 1024 * 1024;

export class OidcApi extends HttpEmulator {
  /** Bytes of /big actually written before the client stopped reading. */
  bigBytesWritten = 0;
  readonly paths: string[] = [];
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  private constructor(private readonly options: OidcApiOptions) {
    super();
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  }

  static async start(options: OidcApiOptions): Promise<OidcApi> {
    const api = new OidcApi(options);
    await api.listen();
    return api;
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    this.paths.push(path);
    for await (const _chunk of req) void _chunk;
    if (path === '/redirect-elsewhere') {
      res.writeHead(302, { location: 'http://127.0.0.2:9/collect' }).end();
      return;
    }
    if (path === '/slow') {
      this.connectionFault('hang', req, res);
      return;
    }
    if (path === '/big') {
      this.writeBig(res);
      return;
    }
    if (path === '/html') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<h1>Hello</h1><img src=x onerror="window.pwned=1"><script>window.pwned=2</script>');
      return;
    }
    const auth = req.headers.authorization;
    const match = typeof auth === 'string' ? /^Bearer +(\S+)$/i.exec(auth.trim()) : null;
    if (!match?.[1]) {
      this.challenge(res, 401, `Bearer realm="${REALM}"`);
      return;
    }
    const problem = await this.problem(match[1]);
    if (problem) {
      this.challenge(
        res,
        401,
        `Bearer realm="${REALM}", error="invalid_token", error_description="${problem}"`,
      );
      return;
    }
    const claims = decodeJwt(match[1]);
    if (path === '/admin' && this.options.adminScope) {
      const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
      if (!scopes.includes(this.options.adminScope)) {
        this.challenge(
          res,
          403,
          `Bearer realm="${REALM}", error="insufficient_scope", scope="${this.options.adminScope}"`,
        );
        return;
      }
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ sub: claims.sub }));
  }

  private async problem(token: string): Promise<string | undefined> {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      return 'The token is not a JWT';
    }
    try {
      await compactVerify(token, this.jwks);
    } catch {
      return 'The signature could not be verified';
    }
    if (claims.iss !== this.options.issuer) return 'The issuer is not trusted';
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now())
      return 'The token expired';
    const auds = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
    const accepted = this.options.audiences ?? [this.url, `${this.url}/`];
    if (!auds.some((aud) => accepted.includes(aud))) return 'The audience is not this API';
    return undefined;
  }

  private challenge(res: ServerResponse, status: number, value: string): void {
    res
      .writeHead(status, { 'www-authenticate': value, 'content-type': 'application/json' })
      .end(JSON.stringify({ error: status === 401 ? 'unauthorized' : 'forbidden' }));
  }

  /** 5 MB in 64 KB chunks, honouring back-pressure, so an early stop is visible in the count. */
  private writeBig(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(BIG_BODY_BYTES) });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const write = (): void => {
      while (this.bigBytesWritten < BIG_BODY_BYTES) {
        this.bigBytesWritten += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', write);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    write();
  }
}
