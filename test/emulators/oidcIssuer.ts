import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { JWK, JWTPayload, CryptoKey } from 'jose';
import { HttpEmulator } from './httpServer';

/** A fault the issuer can be switched into, to test how clients report it. */
export type IssuerFault =
  'none' | 'http-500' | 'not-found' | 'malformed-json' | 'hang' | 'reset' | 'no-jwks-uri';

interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/**
 * A real OIDC issuer on 127.0.0.1: `/.well-known/openid-configuration` and a JWKS at `/jwks`,
 * signing real tokens with keys made at start. Counts requests so tests can assert caching.
 */
export class OidcIssuer extends HttpEmulator {
  fault: IssuerFault = 'none';
  readonly requests: string[] = [];
  private readonly keys: SigningKey[] = [];

  private constructor() {
    super();
  }

  /** Starts an issuer with one RS256 key (more can be added with addKey). */
  static async start(): Promise<OidcIssuer> {
    const issuer = new OidcIssuer();
    await issuer.listen();
    await issuer.addKey('RS256');
    return issuer;
  }

  get jwksUrl(): string {
    return `${this.url}/jwks`;
  }

  /** Adds a signing key (published in the JWKS) and returns its kid. */
  async addKey(alg: string, kid = `key-${this.keys.length + 1}`): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    this.keys.push({ kid, alg, privateKey, publicJwk });
    return kid;
  }

  /** The public JWKS document as served. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /** Signs a token with the given (or first) key; iss defaults to this issuer. */
  async sign(
    claims: JWTPayload,
    options: { kid?: string; expiresIn?: string | number } = {},
  ): Promise<string> {
    const key = options.kid ? this.keys.find((k) => k.kid === options.kid) : this.keys[0];
    if (!key) throw new Error(`no key ${options.kid}`);
    const jwt = new SignJWT({ iss: this.url, ...claims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuedAt();
    if (claims.exp === undefined) jwt.setExpirationTime(options.expiresIn ?? '1h');
    return jwt.sign(key.privateKey);
  }

  protected override handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.url).pathname;
    this.requests.push(path);
    if (this.connectionFault(this.fault, req, res)) return;
    switch (this.fault) {
      case 'http-500':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      case 'malformed-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [');
        return;
      default:
        break;
    }
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/.well-known/openid-configuration' && this.fault !== 'not-found') {
      const doc: Record<string, unknown> = {
        issuer: this.url,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [...new Set(this.keys.map((k) => k.alg))],
      };
      if (this.fault !== 'no-jwks-uri') doc.jwks_uri = this.jwksUrl;
      this.json(res, 200, doc);
    } else if (path === '/jwks' && this.fault !== 'not-found') {
      this.json(res, 200, this.jwks());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  }
}
