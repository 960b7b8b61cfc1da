import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpEmulator } from '../httpServer';

/**
 * The EC2 instance metadata service (IMDS) as AWS documents it, for IMDSv1 and IMDSv2:
 * - "How Instance Metadata Service Version 2 works":
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
 * - "Access instance metadata for an EC2 instance" (paths, the error codes table):
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 * - "Instance metadata categories" (`placement/availability-zone`,
 *   `iam/security-credentials/ROLE`):
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
 * - "Retrieve security credentials from instance metadata" (the credentials JSON):
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html#instance-metadata-security-credentials
 * Clients that read it: google-auth-library `DefaultAwsSecurityCredentialsSupplier`, the AWS SDKs'
 * IMDS credential providers.
 */

/** The IAM role attached to the emulated instance and its temporary credentials. */
export interface EmulatedInstanceRole {
  readonly name: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO time the credentials expire (the emulator does not rotate them by itself). */
  expiration: string;
}

/** A fault the emulator can play on every route. */
export type ImdsFault = 'hang' | 'reset' | 'http-500';

/** One logged request; never holds a token or a secret. */
export interface ImdsRequest {
  readonly method: string;
  readonly path: string;
  /** Whether `X-aws-ec2-metadata-token` was sent (IMDSv2). */
  readonly withSessionToken: boolean;
  /** The `X-aws-ec2-metadata-token-ttl-seconds` header of a token PUT. */
  readonly ttlSeconds?: string;
  readonly status: number;
}

export interface ImdsOptions {
  /** `HttpTokens=required`: GETs without a valid session token get 401 (default false: v1 too). */
  readonly requireSessionToken?: boolean;
  /** Default `us-east-2b`. */
  readonly availabilityZone?: string;
  /** Default a role named `token-explorer-role` with fresh credentials. */
  readonly roleName?: string;
}

const TOKEN_PATH = '/latest/api/token';
const CREDENTIALS_PATH = '/latest/meta-data/iam/security-credentials';
const ZONE_PATH = '/latest/meta-data/placement/availability-zone';
/** The TTL bounds of a session token: 1 second to 6 hours (IMDSv2 how-it-works page). */
const MAX_TTL_SECONDS = 21_600;

function random(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

function accessKeyId(): string {
  // Temporary credentials have `ASIA` access key ids (IAM identifiers page, "Unique identifiers").
  return `ASIA${Array.from(randomBytes(16), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('')}`;
}

/**
 * A real HTTP server on 127.0.0.1 that answers as the EC2 instance metadata service: session
 * tokens (`PUT /latest/api/token`), the availability zone, the attached role's name and its
 * temporary credentials. `requests` logs every call (method, path, whether a session token came).
 */
export class ImdsServer extends HttpEmulator {
  /** The emulator's clock (ms); tests may replace it (session tokens expire by it). */
  now: () => number = () => Date.now();
  readonly requests: ImdsRequest[] = [];
  /** Set `HttpTokens=required` (true) or `optional` (false) at any time. */
  requireSessionToken: boolean;
  availabilityZone: string;
  /** The attached role; undefined: the instance has no instance profile (404 on the listing). */
  role: EmulatedInstanceRole | undefined;
  private fault: ImdsFault | undefined;
  private readonly sessionTokens = new Map<string, number>();

  private constructor(options: ImdsOptions) {
    super();
    this.requireSessionToken = options.requireSessionToken ?? false;
    this.availabilityZone = options.availabilityZone ?? 'us-east-2b';
    this.role = ImdsServer.newRole(options.roleName ?? 'token-explorer-role', Date.now());
  }

  /** Starts the emulator on a free port. */
  static async start(options: ImdsOptions = {}): Promise<ImdsServer> {
    const server = new ImdsServer(options);
    await server.listen();
    return server;
  }

  /** A role with fresh temporary credentials valid for six hours from `nowMs`. */
  static newRole(name: string, nowMs: number): EmulatedInstanceRole {
    return {
      name,
      accessKeyId: accessKeyId(),
      secretAccessKey: random(40),
      sessionToken: `IQoJb3JpZ2luX2VjE${random(120)}`,
      expiration: new Date(nowMs + 6 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  }

  /** `PUT` here for a session token (`imdsv2_session_token_url`). */
  get sessionTokenUrl(): string {
    return `${this.url}${TOKEN_PATH}`;
  }

  /** The role listing; `${securityCredentialsUrl}/ROLE` gives its credentials (`url`). */
  get securityCredentialsUrl(): string {
    return `${this.url}${CREDENTIALS_PATH}`;
  }

  /** The availability zone, e.g. `us-east-2b` (`region_url`). */
  get regionUrl(): string {
    return `${this.url}${ZONE_PATH}`;
  }

  /** The region of the availability zone (the zone less its letter). */
  get region(): string {
    return this.availabilityZone.replace(/[a-z]$/, '');
  }

  /** Plays a fault on every route; undefined clears it. */
  setFault(fault: ImdsFault | undefined): void {
    this.fault = fault;
  }

  /** Forgets every session token it handed out (as after an instance stop/start). */
  revokeSessionTokens(): void {
    this.sessionTokens.clear();
  }

  protected override handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', this.url).pathname;
    const headerToken = req.headers['x-aws-ec2-metadata-token'];
    const ttl = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
    const log = (status: number): void => {
      this.requests.push({
        method,
        path,
        withSessionToken: typeof headerToken === 'string',
        ...(typeof ttl === 'string' ? { ttlSeconds: ttl } : {}),
        status,
      });
    };
    const text = (status: number, body: string): void => {
      log(status);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    };
    if (this.connectionFault(this.fault, req, res)) return log(0);
    if (this.fault === 'http-500') return text(500, 'Internal Server Error');

    if (path === TOKEN_PATH) {
      // Only PUT mints a token; the token endpoint is not readable with GET.
      if (method !== 'PUT') return text(405, 'Method Not Allowed');
      // "The PUT request ... requests that contain the X-Forwarded-For header are rejected"
      // (IMDSv2 how-it-works: stops tokens leaking through open reverse proxies).
      if (req.headers['x-forwarded-for'] !== undefined) return text(403, 'Forbidden');
      // "You must use the X-aws-ec2-metadata-token-ttl-seconds header" with a TTL of 1 second to
      // 6 hours; otherwise 400 Missing or Invalid Parameters (error codes table).
      const seconds = typeof ttl === 'string' && /^\d+$/.test(ttl) ? Number(ttl) : NaN;
      if (!(seconds >= 1 && seconds <= MAX_TTL_SECONDS)) return text(400, 'Bad Request');
      const token = random(56);
      this.sessionTokens.set(token, this.now() + seconds * 1000);
      log(200);
      res
        .writeHead(200, {
          'content-type': 'text/plain',
          'x-aws-ec2-metadata-token-ttl-seconds': String(seconds),
        })
        .end(token);
      return;
    }

    if (method !== 'GET') return text(405, 'Method Not Allowed');
    // "401 - Unauthorized: The GET request uses an invalid token" (error codes table); with
    // HttpTokens=required a GET without a token is refused the same way ("IMDSv1 credentials
    // are not available", EC2 ModifyInstanceMetadataOptions, HttpTokens).
    if (typeof headerToken === 'string') {
      const expires = this.sessionTokens.get(headerToken);
      if (expires === undefined || expires <= this.now()) return text(401, 'Unauthorized');
    } else if (this.requireSessionToken) {
      return text(401, 'Unauthorized');
    }

    if (path === ZONE_PATH) return text(200, this.availabilityZone);
    if (path === CREDENTIALS_PATH || path === `${CREDENTIALS_PATH}/`) {
      // The listing names the role (one per instance profile); no profile: 404.
      return this.role ? text(200, this.role.name) : text(404, 'Not Found');
    }
    if (path.startsWith(`${CREDENTIALS_PATH}/`) && this.role) {
      if (decodeURIComponent(path.slice(CREDENTIALS_PATH.length + 1)) !== this.role.name) {
        return text(404, 'Not Found');
      }
      log(200);
      // The JSON comes as text/plain, as from real instances: google-auth-library read it as a
      // string (AccessKeyId undefined) until it asked gaxios for JSON again
      // (googleapis/google-auth-library-nodejs#2140, googleapis/google-cloud-node-core#901).
      res.writeHead(200, { 'content-type': 'text/plain' }).end(
        JSON.stringify(
          {
            Code: 'Success',
            LastUpdated: new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
            Type: 'AWS-HMAC',
            AccessKeyId: this.role.accessKeyId,
            SecretAccessKey: this.role.secretAccessKey,
            Token: this.role.sessionToken,
            Expiration: this.role.expiration,
          },
          null,
          2,
        ),
      );
      return;
    }
    return text(404, 'Not Found');
  }
}
