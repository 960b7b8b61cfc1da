import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { HttpEmulator } from '../httpServer';

/** A fault the metadata server can be switched into, to test how clients report it. */
export type MetadataFault =
  | 'none'
  | 'http-500'
  | '429'
  | 'hang'
  | 'reset'
  | 'malformed'
  | 'wrong-content-type'
  | 'no-flavor-header'
  | '403';

/** A service account attached to the emulated instance. */
export interface AttachedServiceAccount {
  readonly email: string;
  /** Numeric id, the `sub` and `azp` of its ID tokens. */
  readonly uniqueId: string;
}

/** Facts about the emulated instance, as they appear in `format=full` tokens. */
export interface MetadataServerOptions {
  /** The first is the `default` account; empty means no account is attached. */
  readonly serviceAccounts?: readonly AttachedServiceAccount[];
  readonly projectId?: string;
  readonly projectNumber?: number;
  readonly zone?: string;
  readonly instanceId?: string;
  readonly instanceName?: string;
  readonly licenseIds?: readonly string[];
}

/** One request as the server saw it. */
export interface MetadataRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly flavor: string | undefined;
}

const FLAVOR = { 'Metadata-Flavor': 'Google' } as const;
const PREFIX = '/computeMetadata/v1';
const ISSUER = 'https://accounts.google.com';

/**
 * A Compute Engine metadata server on 127.0.0.1, as the official clients see it: requires the
 * `Metadata-Flavor: Google` request header (403 otherwise), answers with it, redirects directory
 * paths without a trailing slash, and signs real RS256 identity tokens with a key made at start.
 */
export class MetadataServer extends HttpEmulator {
  fault: MetadataFault = 'none';
  /** Seconds sent in Retry-After by the `429` fault. */
  retryAfterSeconds = 7;
  /**
   * How many of the next requests get 503 Service Unavailable before the server answers again,
   * as a metadata server under load or starting up does; gcp-metadata rides it out (gaxios
   * retries 5xx, src/retry.ts).
   */
  unavailableFor = 0;
  readonly requests: MetadataRequest[] = [];
  /** Lifetime of the identity tokens minted from now on (jose time span); about 1 h for real. */
  idTokenLifetime = '1h';
  /** The access token `/token` hands out; tests check it never shows up in messages. */
  readonly accessToken = `ya29.emulator-${randomBytes(24).toString('base64url')}`;
  private readonly started = Math.floor(Date.now() / 1000);

  private constructor(
    private readonly key: { kid: string; privateKey: CryptoKey; publicJwk: JWK },
    readonly options: Required<MetadataServerOptions>,
  ) {
    super();
  }

  /** Starts a server with one attached default service account unless told otherwise. */
  static async start(options: MetadataServerOptions = {}): Promise<MetadataServer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomBytes(20).toString('hex');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const projectId = options.projectId ?? 'emulated-project';
    const full: Required<MetadataServerOptions> = {
      serviceAccounts: options.serviceAccounts ?? [
        { email: `runner@${projectId}.iam.gserviceaccount.com`, uniqueId: '104328519573830287731' },
      ],
      projectId,
      projectNumber: options.projectNumber ?? 123456789012,
      zone: options.zone ?? 'europe-west1-b',
      instanceId: options.instanceId ?? '4627489321234567890',
      instanceName: options.instanceName ?? 'emulated-vm',
      licenseIds: options.licenseIds ?? ['1000010'],
    };
    const metadata = new MetadataServer({ kid, privateKey, publicJwk }, full);
    await metadata.listen();
    return metadata;
  }

  /** `127.0.0.1:PORT`, the scheme-less form GCE_METADATA_HOST usually holds. */
  get host(): string {
    return this.url.slice('http://'.length);
  }

  get requestCount(): number {
    return this.requests.length;
  }

  /** The public key set that verifies this server's identity tokens. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const flavor = req.headers['metadata-flavor'];
    this.requests.push({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      flavor: Array.isArray(flavor) ? flavor[0] : flavor,
    });
    if (this.connectionFault(this.fault, req, res)) return;
    if (this.unavailableFor > 0) {
      this.unavailableFor--;
      res.writeHead(503, { ...FLAVOR, 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    switch (this.fault) {
      case 'http-500':
        this.text(res, 500, 'Internal Server Error');
        return;
      case '429':
        res
          .writeHead(429, {
            ...FLAVOR,
            'content-type': 'text/plain',
            'retry-after': `${this.retryAfterSeconds}`,
          })
          .end('Too Many Requests');
        return;
      case '403':
        this.text(res, 403, 'Forbidden');
        return;
      case 'wrong-content-type':
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<html><body>Sign in to the network to continue</body></html>');
        return;
      default:
        break;
    }
    if (flavor !== 'Google' || req.headers['x-forwarded-for'] !== undefined) {
      // GCE's own wording for a request without the header.
      this.text(
        res,
        403,
        `Your client does not have permission to get URL ${url.pathname} from this server. Missing Metadata-Flavor:Google header.`,
      );
      return;
    }
    if (req.method !== 'GET') {
      this.text(res, 405, 'Method Not Allowed');
      return;
    }
    await this.route(url, res);
  }

  private async route(url: URL, res: ServerResponse): Promise<void> {
    const path = url.pathname;
    if (path === `${PREFIX}/instance` || path === `${PREFIX}/project`) {
      res.writeHead(301, { ...this.headers('application/text'), location: `${path}/` }).end();
      return;
    }
    if (path === `${PREFIX}/instance/`) {
      this.text(res, 200, 'attributes/\nhostname\nid\nname\nservice-accounts/\nzone\n');
      return;
    }
    if (path === `${PREFIX}/project/project-id`) {
      this.text(res, 200, this.options.projectId);
      return;
    }
    if (path === `${PREFIX}/project/numeric-project-id`) {
      this.text(res, 200, String(this.options.projectNumber));
      return;
    }
    const match = /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/([a-z-]+)$/.exec(
      path,
    );
    const account = match ? this.account(decodeURIComponent(match[1] ?? '')) : undefined;
    if (!match || !account) {
      this.text(res, 404, 'Not Found');
      return;
    }
    switch (match[2]) {
      case 'email':
        this.text(res, 200, account.email);
        return;
      case 'token':
        if (this.fault === 'malformed') {
          this.text(res, 200, '{"access_token": ');
          return;
        }
        this.json(
          res,
          200,
          { access_token: this.accessToken, expires_in: 3599, token_type: 'Bearer' },
          this.headers('application/json'),
        );
        return;
      case 'identity':
        await this.identity(url, account, res);
        return;
      default:
        this.text(res, 404, 'Not Found');
    }
  }

  private async identity(
    url: URL,
    account: AttachedServiceAccount,
    res: ServerResponse,
  ): Promise<void> {
    const audience = url.searchParams.get('audience') ?? '';
    if (!audience) {
      this.text(res, 400, 'non-empty audience parameter required');
      return;
    }
    if (this.fault === 'malformed') {
      this.text(res, 200, 'this is not a token');
      return;
    }
    // format=standard (the default) carries only aud, azp, exp, iat, iss and sub; email and
    // email_verified come only with format=full (Compute Engine docs, "Verifying the identity of
    // instances": token formats; google-auth-library-nodejs PR #874, google-auth-library-python
    // PR #462 add format=full because IAP rejects tokens without email).
    const claims: Record<string, unknown> = {
      aud: audience,
      azp: account.uniqueId,
      sub: account.uniqueId,
    };
    if (url.searchParams.get('format') === 'full') {
      const o = this.options;
      claims.email = account.email;
      claims.email_verified = true;
      claims.google = {
        compute_engine: {
          instance_creation_timestamp: this.started - 86400,
          instance_id: o.instanceId,
          instance_name: o.instanceName,
          project_id: o.projectId,
          project_number: o.projectNumber,
          zone: o.zone,
          ...(url.searchParams.get('licenses')?.toUpperCase() === 'TRUE'
            ? { license_id: [...o.licenseIds] }
            : {}),
        },
      };
    }
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.key.kid, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(this.idTokenLifetime)
      .sign(this.key.privateKey);
    this.text(res, 200, token);
  }

  private account(name: string): AttachedServiceAccount | undefined {
    const accounts = this.options.serviceAccounts;
    return name === 'default' ? accounts[0] : accounts.find((a) => a.email === name);
  }

  private headers(contentType: string): Record<string, string> {
    return this.fault === 'no-flavor-header'
      ? { 'content-type': contentType }
      : { ...FLAVOR, 'content-type': contentType };
  }

  private text(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, this.headers('application/text')).end(body);
  }
}
