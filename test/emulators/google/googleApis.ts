import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  SignJWT,
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
} from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { HttpEmulator } from '../httpServer';
import { CallerIdentityRefused, verifyCallerIdentityToken } from './awsCallerIdentity';
import type { AwsIdentity, CallerIdentityShape } from './awsCallerIdentity';

/** A fault a route (or every route) can be switched into. */
export type GoogleFault =
  'http-500' | '429' | 'hang' | 'reset' | 'malformed-json' | 'wrong-content-type' | '403';

/** The emulator's routes, for per-route faults. */
export type GoogleRoute =
  | 'token'
  | 'generateIdToken'
  | 'generateAccessToken'
  | 'sts'
  | 'stsOauthToken'
  | 'list'
  | 'discovery'
  | 'jwks';

/** A workforce identity federation login (`external_account_authorized_user`). */
export interface EmulatedWorkforceUser {
  /** `principal://iam.googleapis.com/locations/global/workforcePools/POOL/subject/SUBJECT`. */
  readonly principal: string;
  readonly clientId: string;
  readonly clientSecret: string;
  refreshToken: string;
  /** Whether each refresh hands out a new refresh token (and retires the old one). */
  rotate: boolean;
  /** The ADC file gcloud writes for it, `token_url` pointing at the emulator. */
  readonly adcJson: string;
}

/** One logged request; never holds a secret. */
export interface LoggedRequest {
  readonly method: string;
  readonly route: GoogleRoute | 'unknown';
  readonly path: string;
  readonly grantType?: string;
  /** Whose access token was in `Authorization: Bearer` (undefined: none, or not one it issued). */
  readonly caller?: string;
  /** `Authorization: Basic` client id, when one was sent. */
  readonly basicClient?: string;
  /** The body's fields: values of the non-secret ones, `<secret>` for the others. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The `x-goog-user-project` header (quota project), when sent. */
  readonly userProject?: string;
}

/** Body fields whose values are logged; every other field is logged as `<secret>`. */
const PUBLIC_FIELDS = new Set([
  'grant_type',
  'audience',
  'scope',
  'requested_token_type',
  'subject_token_type',
  'options',
  'delegates',
  'includeEmail',
  'lifetime',
  'organizationNumberIncluded',
  'client_id',
]);

function loggedFields(fields: Iterable<[string, unknown]>): Record<string, unknown> {
  const logged: Record<string, unknown> = {};
  for (const [name, value] of fields) logged[name] = PUBLIC_FIELDS.has(name) ? value : '<secret>';
  return logged;
}

/** A user who signed in with `gcloud auth application-default login`. */
export interface EmulatedUser {
  readonly email: string;
  /** Numeric Google account id (`sub`). */
  readonly sub: string;
  readonly clientId: string;
  readonly clientSecret: string;
  refreshToken: string;
  /** The `authorized_user` ADC file pointing at the emulator. */
  readonly adcJson: string;
}

/** A service account with one or more RSA keys. */
export interface EmulatedServiceAccount {
  readonly email: string;
  readonly uniqueId: string;
  readonly projectId: string;
  readonly displayName?: string;
  disabled: boolean;
  /** The Google-style key file JSON of its first key, `token_uri` pointing at the emulator; empty without a key. */
  readonly keyFile: string;
  readonly keyId: string;
}

/** What the security token service accepts: a subject token and the identity it stands for. */
export interface TrustedSubject {
  readonly audience: string;
  /** The federated principal the STS access token speaks for. */
  readonly principal: string;
}

interface AccessTokenInfo {
  readonly principal: string;
  readonly expiresAt: number;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

interface AccountRecord {
  readonly account: EmulatedServiceAccount;
  readonly keys: Map<string, CryptoKey>;
}

const GOOGLE_ISSUER = 'https://accounts.google.com';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const AWS_SUBJECT_TOKEN_TYPE = 'urn:ietf:params:aws:token-type:aws4_request';
const SUBJECT_TOKEN_TYPES = new Set([
  'urn:ietf:params:oauth:token-type:jwt',
  'urn:ietf:params:oauth:token-type:id_token',
  'urn:ietf:params:oauth:token-type:saml2',
  'urn:ietf:params:aws:token-type:aws4_request',
]);
/** Audiences Google's token endpoint accepts in a jwt-bearer assertion. */
const GOOGLE_TOKEN_AUDIENCES = [
  'https://oauth2.googleapis.com/token',
  'https://www.googleapis.com/oauth2/v4/token',
];
const SHORT_LIVED =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
const UNAUTHENTICATED =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

function random(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function numericId(): string {
  return `1${Array.from(randomBytes(20), (b) => String(b % 10)).join('')}`;
}

class HttpReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

function oauthError(status: number, error: string, description: string): HttpReply {
  return new HttpReply(status, { error, error_description: description });
}

function googleError(code: number, status: string, message: string): HttpReply {
  return new HttpReply(code, { error: { code, message, status } });
}

/**
 * A real HTTP server on 127.0.0.1 speaking the Google APIs the providers use: the OAuth token
 * endpoint (refresh_token and jwt-bearer grants), IAM Credentials generateIdToken /
 * generateAccessToken, the security token service, the IAM service-account list, and Google's
 * discovery document and JWKS. ID tokens are signed with RS256 keys made at start and carry
 * `iss: https://accounts.google.com`.
 */
export class GoogleApis extends HttpEmulator {
  /** The emulator's clock (ms); tests may replace it. */
  now: () => number = () => Date.now();
  readonly requests: LoggedRequest[] = [];
  /** Every AWS subject token STS accepted, by its public parts. */
  readonly awsSubjects: CallerIdentityShape[] = [];
  private readonly faults = new Map<GoogleRoute | '*', GoogleFault>();
  private readonly users = new Map<string, EmulatedUser>();
  private readonly workforceUsers: EmulatedWorkforceUser[] = [];
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly permissions = new Set<string>();
  private readonly trusted = new Map<string, TrustedSubject>();
  private readonly awsIdentities = new Map<string, AwsIdentity>();
  private readonly awsPrincipals = new Map<string, TrustedSubject>();
  private readonly accessTokens = new Map<string, AccessTokenInfo>();
  private readonly projects = new Set<string>();
  private signingKey!: SigningKey;

  private constructor() {
    super();
  }

  /** Starts the emulator on a free port with a fresh ID-token signing key. */
  static async start(): Promise<GoogleApis> {
    const apis = new GoogleApis();
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomBytes(20).toString('hex');
    apis.signingKey = {
      kid,
      privateKey,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    };
    await apis.listen();
    return apis;
  }

  /** The OAuth token endpoint (`token_uri`). */
  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** The security token service (`token_url` of external accounts). */
  get stsUrl(): string {
    return `${this.url}/v1/token`;
  }

  get jwksUrl(): string {
    return `${this.url}/oauth2/v3/certs`;
  }

  /** The issuer of every ID token it signs. */
  readonly issuer = GOOGLE_ISSUER;

  /** `service_account_impersonation_url` for a target. */
  impersonationUrl(target: string): string {
    return `${this.url}/v1/projects/-/serviceAccounts/${target}:generateAccessToken`;
  }

  /** The public JWKS document as served. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.signingKey.publicJwk] };
  }

  /** Switches one route (or all, with '*') into a fault; undefined clears it. */
  setFault(route: GoogleRoute | '*', fault: GoogleFault | undefined): void {
    if (fault) this.faults.set(route, fault);
    else this.faults.delete(route);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Registers a user with an OAuth client and refresh token. */
  addUser(options: { email: string; clientId?: string; clientSecret?: string }): EmulatedUser {
    const clientId = options.clientId ?? `${numericId()}-${random(8)}.apps.googleusercontent.com`;
    const clientSecret = options.clientSecret ?? `GOCSPX-${random(18)}`;
    const refreshToken = `1//${random(40)}`;
    const tokenUri = this.tokenUrl;
    const user: EmulatedUser = {
      email: options.email,
      sub: numericId(),
      clientId,
      clientSecret,
      refreshToken,
      get adcJson(): string {
        return JSON.stringify({
          type: 'authorized_user',
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: this.refreshToken,
          account: '',
          token_uri: tokenUri,
          universe_domain: 'googleapis.com',
        });
      },
    };
    this.users.set(options.email, user);
    return user;
  }

  /** Registers a workforce pool user, as `gcloud auth application-default login` with a login config writes it. */
  addWorkforceUser(options: { pool: string; subject: string }): EmulatedWorkforceUser {
    const stsOauthUrl = this.stsOauthUrl;
    const user: EmulatedWorkforceUser = {
      principal: `principal://iam.googleapis.com/locations/global/workforcePools/${options.pool}/subject/${options.subject}`,
      clientId: `${random(12)}.apps.googleusercontent.com`,
      clientSecret: random(18),
      refreshToken: `workforce-${random(32)}`,
      rotate: false,
      get adcJson(): string {
        return JSON.stringify({
          type: 'external_account_authorized_user',
          audience: `//iam.googleapis.com/locations/global/workforcePools/${options.pool}/providers/idp`,
          refresh_token: this.refreshToken,
          token_url: stsOauthUrl,
          token_info_url: 'https://sts.googleapis.com/v1/introspect',
          client_id: this.clientId,
          client_secret: this.clientSecret,
          revoke_url: 'https://sts.googleapis.com/v1/revoke',
          universe_domain: 'googleapis.com',
        });
      },
    };
    this.workforceUsers.push(user);
    return user;
  }

  /** The workforce pool token endpoint (`token_url` of `external_account_authorized_user`). */
  get stsOauthUrl(): string {
    return `${this.url}/v1/oauthtoken`;
  }

  /** Makes a user's refresh token invalid, as `gcloud auth application-default revoke` does. */
  revokeUser(email: string): void {
    const user = this.users.get(email);
    if (user) user.refreshToken = `revoked-${random(8)}`;
  }

  /** Registers a service account with a real RSA key and returns it with its key file. */
  async addServiceAccount(options: {
    email: string;
    projectId?: string;
    displayName?: string;
    disabled?: boolean;
    /** false skips making a key (fast; keyFile and keyId are then empty). */
    withKey?: boolean;
  }): Promise<EmulatedServiceAccount> {
    const projectId = options.projectId ?? options.email.split('@')[1]?.split('.')[0] ?? 'project';
    this.projects.add(projectId);
    const keys = new Map<string, CryptoKey>();
    const account = {
      email: options.email,
      uniqueId: numericId(),
      projectId,
      ...(options.displayName ? { displayName: options.displayName } : {}),
      disabled: options.disabled ?? false,
      keyFile: '',
      keyId: '',
    };
    this.accounts.set(options.email, { account, keys });
    if (options.withKey === false) return account;
    const { keyFile, keyId } = await this.addKey(options.email);
    Object.assign(account, { keyFile, keyId });
    return account;
  }

  /** Adds another key to a service account; returns its key file JSON and id. */
  async addKey(email: string): Promise<{ keyFile: string; keyId: string }> {
    const record = this.accounts.get(email);
    if (!record) throw new Error(`no service account ${email}`);
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const keyId = randomBytes(20).toString('hex');
    record.keys.set(keyId, publicKey);
    const keyFile = JSON.stringify(
      {
        type: 'service_account',
        project_id: record.account.projectId,
        private_key_id: keyId,
        private_key: await exportPKCS8(privateKey),
        client_email: email,
        client_id: record.account.uniqueId,
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: this.tokenUrl,
        auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
        client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
        universe_domain: 'googleapis.com',
      },
      null,
      2,
    );
    return { keyFile, keyId };
  }

  /** Deletes a key, as `gcloud iam service-accounts keys delete` does. */
  deleteKey(email: string, keyId: string): void {
    this.accounts.get(email)?.keys.delete(keyId);
  }

  /** Lets `caller` (an email or federated principal) mint tokens for `target`. */
  allow(caller: string, target: string): void {
    this.permissions.add(`${caller}\u0000${target}`);
  }

  /** Makes the security token service accept `subjectToken` for `audience`. */
  trustSubjectToken(subjectToken: string, subject: TrustedSubject): void {
    this.trusted.set(subjectToken, subject);
  }

  /**
   * Makes the security token service accept GetCallerIdentity requests signed with these AWS
   * credentials for `subject.audience` (the AWS provider of a workload identity pool), as
   * `subject.principal`. The signature is checked (see awsCallerIdentity.ts).
   */
  trustAwsCredentials(aws: AwsIdentity, subject: TrustedSubject): void {
    this.awsIdentities.set(aws.accessKeyId, aws);
    this.awsPrincipals.set(aws.accessKeyId, subject);
  }

  /** An access token the emulator accepts, for `principal`. */
  issueAccessToken(principal: string, lifetimeSeconds = 3600): string {
    const token = `ya29.${random(48)}`;
    this.accessTokens.set(token, { principal, expiresAt: this.now() + lifetimeSeconds * 1000 });
    return token;
  }

  /** Accepts an access token minted elsewhere (e.g. by the metadata server) for `principal`. */
  acceptAccessToken(token: string, principal: string, lifetimeSeconds = 3600): void {
    this.accessTokens.set(token, { principal, expiresAt: this.now() + lifetimeSeconds * 1000 });
  }

  /** Forgets every access token it issued (callers then get 401). */
  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  private logged(
    req: IncomingMessage,
    method: string,
    route: GoogleRoute | 'unknown',
    path: string,
    form: URLSearchParams | undefined,
    contentType: string,
    raw: string,
  ): LoggedRequest {
    const grantType = form?.get('grant_type') ?? undefined;
    const caller = this.caller(req)?.principal;
    const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const basicClient = basic ? Buffer.from(basic, 'base64').toString().split(':')[0] : undefined;
    let fields: Record<string, unknown> | undefined;
    if (form) fields = loggedFields(form.entries());
    else if (contentType === 'application/json') {
      try {
        const body: unknown = JSON.parse(raw);
        if (typeof body === 'object' && body !== null) fields = loggedFields(Object.entries(body));
      } catch {
        fields = undefined;
      }
    }
    const userProject = req.headers['x-goog-user-project'];
    return {
      method,
      route,
      path,
      ...(grantType ? { grantType } : {}),
      ...(caller ? { caller } : {}),
      ...(basicClient ? { basicClient } : {}),
      ...(fields ? { fields } : {}),
      ...(typeof userProject === 'string' ? { userProject } : {}),
    };
  }

  private route(method: string, path: string): GoogleRoute | 'unknown' {
    if (path === '/token') return 'token';
    if (path === '/v1/token') return 'sts';
    if (path === '/v1/oauthtoken') return 'stsOauthToken';
    if (path === '/.well-known/openid-configuration') return 'discovery';
    if (path === '/oauth2/v3/certs') return 'jwks';
    if (/^\/v1\/projects\/-\/serviceAccounts\/[^/]+:generateIdToken$/.test(path)) {
      return 'generateIdToken';
    }
    if (/^\/v1\/projects\/-\/serviceAccounts\/[^/]+:generateAccessToken$/.test(path)) {
      return 'generateAccessToken';
    }
    if (method === 'GET' && /^\/v1\/projects\/[^/]+\/serviceAccounts$/.test(path)) return 'list';
    return 'unknown';
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const route = this.route(method, url.pathname);
    const raw = await readBody(req);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const form =
      contentType === 'application/x-www-form-urlencoded' ? new URLSearchParams(raw) : undefined;
    this.requests.push(this.logged(req, method, route, url.pathname, form, contentType, raw));

    const fault =
      (route !== 'unknown' ? this.faults.get(route) : undefined) ?? this.faults.get('*');
    if (this.connectionFault(fault, req, res)) return;
    switch (fault) {
      case 'http-500':
        return this.send(res, googleError(500, 'INTERNAL', 'Internal error encountered.'));
      case '429':
        return this.send(
          res,
          new HttpReply(
            429,
            { error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' } },
            { 'retry-after': '7' },
          ),
        );
      case '403':
        return this.send(
          res,
          googleError(
            403,
            'PERMISSION_DENIED',
            "Permission 'iam.serviceAccounts.getOpenIdToken' denied on resource (or it may not exist).",
          ),
        );
      case 'malformed-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"token": "ey');
        return;
      case 'wrong-content-type':
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<!DOCTYPE html><html><body>Sign in</body></html>');
        return;
      case undefined:
        break;
    }

    let reply: HttpReply;
    switch (route) {
      case 'token':
        reply = method !== 'POST' ? methodNotAllowed() : await this.token(form);
        break;
      case 'sts':
        reply = method !== 'POST' ? methodNotAllowed() : this.sts(form);
        break;
      case 'stsOauthToken':
        reply = method !== 'POST' ? methodNotAllowed() : this.workforceRefresh(req, form);
        break;
      case 'generateIdToken':
      case 'generateAccessToken':
        reply =
          method !== 'POST'
            ? methodNotAllowed()
            : await this.iamCredentials(route, url.pathname, req, contentType, raw);
        break;
      case 'list':
        reply = this.list(url, req);
        break;
      case 'discovery':
        reply = new HttpReply(200, {
          issuer: GOOGLE_ISSUER,
          authorization_endpoint: `${this.url}/o/oauth2/v2/auth`,
          token_endpoint: this.tokenUrl,
          jwks_uri: this.jwksUrl,
          response_types_supported: ['code', 'token', 'id_token'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          claims_supported: ['aud', 'email', 'email_verified', 'exp', 'iat', 'iss', 'sub'],
        });
        break;
      case 'jwks':
        reply = new HttpReply(200, this.jwks());
        break;
      case 'unknown':
        reply = googleError(404, 'NOT_FOUND', `Not found: ${url.pathname}`);
        break;
    }
    this.send(res, reply);
  }

  private send(res: ServerResponse, reply: HttpReply): void {
    this.json(res, reply.status, reply.body, {
      'content-type': 'application/json; charset=utf-8',
      ...reply.headers,
    });
  }

  private async signIdToken(claims: JWTPayload): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ ...claims, iss: GOOGLE_ISSUER, iat, exp: iat + 3600 })
      .setProtectedHeader({ alg: 'RS256', kid: this.signingKey.kid, typ: 'JWT' })
      .sign(this.signingKey.privateKey);
  }

  private async serviceAccountIdToken(
    account: EmulatedServiceAccount,
    audience: string,
    includeEmail: boolean,
  ): Promise<string> {
    return this.signIdToken({
      aud: audience,
      azp: account.uniqueId,
      sub: account.uniqueId,
      ...(includeEmail ? { email: account.email, email_verified: true } : {}),
    });
  }

  private async token(form: URLSearchParams | undefined): Promise<HttpReply> {
    if (!form)
      return oauthError(400, 'invalid_request', 'Required parameter is missing: grant_type');
    const grantType = form.get('grant_type');
    if (grantType === 'refresh_token') return this.refreshGrant(form);
    if (grantType === JWT_BEARER) return this.jwtBearerGrant(form);
    return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  }

  private async refreshGrant(form: URLSearchParams): Promise<HttpReply> {
    const user = [...this.users.values()].find((u) => u.clientId === form.get('client_id'));
    if (!user || user.clientSecret !== form.get('client_secret')) {
      return oauthError(401, 'invalid_client', 'Unauthorized');
    }
    if (form.get('refresh_token') !== user.refreshToken) {
      return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    }
    const idToken = await this.signIdToken({
      aud: user.clientId,
      azp: user.clientId,
      sub: user.sub,
      email: user.email,
      email_verified: true,
      at_hash: random(16),
    });
    return new HttpReply(200, {
      access_token: this.issueAccessToken(user.email),
      expires_in: 3599,
      scope:
        'openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/cloud-platform',
      token_type: 'Bearer',
      id_token: idToken,
    });
  }

  private async jwtBearerGrant(form: URLSearchParams): Promise<HttpReply> {
    const assertion = form.get('assertion') ?? '';
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      return oauthError(400, 'invalid_grant', 'Invalid JWT: could not be parsed.');
    }
    const record = typeof claims.iss === 'string' ? this.accounts.get(claims.iss) : undefined;
    if (!record) return oauthError(400, 'invalid_grant', 'Invalid grant: account not found');
    if (header.alg !== 'RS256') return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    const candidates = header.kid
      ? [record.keys.get(header.kid)].filter((k): k is CryptoKey => k !== undefined)
      : [...record.keys.values()];
    let verified = false;
    for (const key of candidates) {
      try {
        await compactVerify(assertion, key, { algorithms: ['RS256'] });
        verified = true;
        break;
      } catch {
        // Try the next key of the account.
      }
    }
    if (!verified) return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    if (record.account.disabled) {
      return oauthError(400, 'invalid_grant', 'Invalid grant: account disabled');
    }
    const audiences = [this.tokenUrl, ...GOOGLE_TOKEN_AUDIENCES];
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
      return oauthError(400, 'invalid_grant', 'Invalid JWT: Failed audience check.');
    }
    const now = Math.floor(this.now() / 1000);
    const { iat, exp } = claims;
    if (
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      exp - iat > 3600 ||
      exp <= now ||
      iat > now + 300
    ) {
      return oauthError(400, 'invalid_grant', SHORT_LIVED);
    }
    const targetAudience = claims.target_audience;
    if (typeof targetAudience === 'string' && targetAudience !== '') {
      return new HttpReply(200, {
        id_token: await this.serviceAccountIdToken(record.account, targetAudience, true),
      });
    }
    if (typeof claims.scope === 'string' && claims.scope !== '') {
      return new HttpReply(200, {
        access_token: this.issueAccessToken(record.account.email),
        expires_in: 3599,
        token_type: 'Bearer',
      });
    }
    return oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
  }

  /**
   * The workforce pool refresh: google-auth-library `ExternalAccountAuthorizedUserHandler.
   * refreshToken` posts `grant_type=refresh_token&refresh_token` with the client as HTTP Basic
   * auth (`confidentialClientType: 'basic'`, RFC 6749 section 2.3.1), and takes a new
   * `refresh_token` from the answer when there is one.
   */
  private workforceRefresh(req: IncomingMessage, form: URLSearchParams | undefined): HttpReply {
    const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [clientId, clientSecret] = basic
      ? Buffer.from(basic, 'base64').toString().split(':')
      : [];
    const user = this.workforceUsers.find((u) => u.clientId === clientId);
    if (!user || user.clientSecret !== clientSecret) {
      return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
    }
    if (form?.get('grant_type') !== 'refresh_token') {
      return oauthError(400, 'unsupported_grant_type', 'Only refresh_token is supported.');
    }
    if (form.get('refresh_token') !== user.refreshToken) {
      return oauthError(400, 'invalid_grant', 'The refresh token is invalid or has expired.');
    }
    if (user.rotate) user.refreshToken = `workforce-${random(32)}`;
    return new HttpReply(200, {
      access_token: this.issueAccessToken(user.principal),
      expires_in: 3600,
      token_type: 'Bearer',
      ...(user.rotate ? { refresh_token: user.refreshToken } : {}),
    });
  }

  private sts(form: URLSearchParams | undefined): HttpReply {
    if (!form) return oauthError(400, 'invalid_request', 'Expected form-encoded parameters.');
    if (form.get('grant_type') !== TOKEN_EXCHANGE) {
      return oauthError(400, 'invalid_request', 'Invalid value for "grant_type".');
    }
    if (form.get('requested_token_type') !== ACCESS_TOKEN_TYPE) {
      return oauthError(400, 'invalid_request', 'Invalid value for "requested_token_type".');
    }
    const subjectTokenType = form.get('subject_token_type') ?? '';
    if (!SUBJECT_TOKEN_TYPES.has(subjectTokenType)) {
      return oauthError(400, 'invalid_request', 'Invalid value for "subject_token_type".');
    }
    const audience = form.get('audience') ?? '';
    if (!audience.startsWith('//iam.googleapis.com/')) {
      return oauthError(400, 'invalid_request', 'Invalid value for "audience".');
    }
    let subject: TrustedSubject | undefined;
    if (subjectTokenType === AWS_SUBJECT_TOKEN_TYPE) {
      // Google STS forwards the signed GetCallerIdentity request to AWS and answers AWS's
      // refusal as invalid_grant (the OAuth error of RFC 8693 section 2.2.2).
      try {
        const { identity, shape } = verifyCallerIdentityToken(
          form.get('subject_token') ?? '',
          audience,
          this.awsIdentities,
          this.now(),
        );
        this.awsSubjects.push(shape);
        subject = this.awsPrincipals.get(identity.accessKeyId);
      } catch (error) {
        if (!(error instanceof CallerIdentityRefused)) throw error;
        return oauthError(400, 'invalid_grant', error.message);
      }
    } else {
      subject = this.trusted.get(form.get('subject_token') ?? '');
    }
    if (!subject) return oauthError(400, 'invalid_grant', 'Unable to parse the ID Token.');
    if (subject.audience !== audience) {
      return oauthError(
        400,
        'invalid_grant',
        'The audience in ID Token does not match the expected audience.',
      );
    }
    return new HttpReply(200, {
      access_token: this.issueAccessToken(subject.principal),
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: 3600,
    });
  }

  private caller(req: IncomingMessage): AccessTokenInfo | undefined {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const info = match?.[1] ? this.accessTokens.get(match[1]) : undefined;
    return info && info.expiresAt > this.now() ? info : undefined;
  }

  private findAccount(id: string): EmulatedServiceAccount | undefined {
    const byEmail = this.accounts.get(id)?.account;
    if (byEmail) return byEmail;
    return [...this.accounts.values()].find((r) => r.account.uniqueId === id)?.account;
  }

  private async iamCredentials(
    route: 'generateIdToken' | 'generateAccessToken',
    path: string,
    req: IncomingMessage,
    contentType: string,
    raw: string,
  ): Promise<HttpReply> {
    const caller = this.caller(req);
    if (!caller) return googleError(401, 'UNAUTHENTICATED', UNAUTHENTICATED);
    if (contentType !== 'application/json') {
      return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const id = decodeURIComponent(/serviceAccounts\/([^/:]+):/.exec(path)?.[1] ?? '');
    const target = this.findAccount(id);
    if (!target)
      return googleError(404, 'NOT_FOUND', `Not found; Gaia id not found for email ${id}`);
    const delegates: EmulatedServiceAccount[] = [];
    for (const delegate of Array.isArray(body.delegates) ? body.delegates : []) {
      const match = /^projects\/-\/serviceAccounts\/([^/]+)$/.exec(String(delegate));
      if (!match?.[1]) {
        return googleError(
          400,
          'INVALID_ARGUMENT',
          `Invalid form of delegate: ${String(delegate)}`,
        );
      }
      const account = this.findAccount(match[1]);
      if (!account) {
        return googleError(404, 'NOT_FOUND', `Not found; Gaia id not found for email ${match[1]}`);
      }
      delegates.push(account);
    }
    const permission =
      route === 'generateIdToken'
        ? 'iam.serviceAccounts.getOpenIdToken'
        : 'iam.serviceAccounts.getAccessToken';
    // Each identity in the chain needs Token Creator on the next, and nothing is implied: a
    // service account calling for its own email is denied unless it was granted the role on
    // itself (https://cloud.google.com/iam/docs/create-short-lived-credentials-direct: "the
    // caller ... and the service account for which the credential is created" need a grant;
    // GoogleCloudPlatform/agent-starter-pack PR #543: "the SA needs permission to create tokens
    // for itself"; matheuscscp/gke-metadata-server issue #357). So `allow(x, x)` is never assumed.
    const chain = [caller.principal, ...delegates.map((d) => d.email), target.email];
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!this.permissions.has(`${chain[i]}\u0000${chain[i + 1]}`)) {
        return googleError(
          403,
          'PERMISSION_DENIED',
          `Permission '${permission}' denied on resource (or it may not exist).`,
        );
      }
    }
    if (target.disabled) {
      return googleError(
        400,
        'FAILED_PRECONDITION',
        `Service account ${target.email} is disabled.`,
      );
    }
    if (route === 'generateIdToken') {
      const audience = body.audience;
      if (typeof audience !== 'string' || audience === '') {
        return googleError(400, 'INVALID_ARGUMENT', 'Audience is required.');
      }
      const token = await this.serviceAccountIdToken(target, audience, body.includeEmail === true);
      return new HttpReply(200, { token });
    }
    const scope = body.scope;
    if (!Array.isArray(scope) || scope.length === 0) {
      return googleError(400, 'INVALID_ARGUMENT', 'Scope is required.');
    }
    const lifetime = /^(\d+)s$/.exec(typeof body.lifetime === 'string' ? body.lifetime : '3600s');
    const seconds = Number(lifetime?.[1] ?? NaN);
    if (!Number.isFinite(seconds) || seconds > 3600 || seconds <= 0) {
      return googleError(400, 'INVALID_ARGUMENT', 'The lifetime must be between 1s and 3600s.');
    }
    return new HttpReply(200, {
      accessToken: this.issueAccessToken(target.email, seconds),
      expireTime: new Date(this.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }

  private list(url: URL, req: IncomingMessage): HttpReply {
    if (!this.caller(req)) return googleError(401, 'UNAUTHENTICATED', UNAUTHENTICATED);
    const project = decodeURIComponent(/^\/v1\/projects\/([^/]+)\//.exec(url.pathname)?.[1] ?? '');
    if (!this.projects.has(project)) {
      return googleError(404, 'NOT_FOUND', `Project ${project} not found.`);
    }
    const pageSize = Math.min(Number(url.searchParams.get('pageSize') || 20) || 20, 100);
    const start = Number(url.searchParams.get('pageToken') || 0) || 0;
    const all = [...this.accounts.values()]
      .map((r) => r.account)
      .filter((a) => a.projectId === project);
    const page = all.slice(start, start + pageSize).map((a) => ({
      name: `projects/${project}/serviceAccounts/${a.email}`,
      projectId: project,
      uniqueId: a.uniqueId,
      email: a.email,
      ...(a.displayName ? { displayName: a.displayName } : {}),
      etag: 'MDEwMjE5MjA=',
      oauth2ClientId: a.uniqueId,
      ...(a.disabled ? { disabled: true } : {}),
    }));
    const next = start + pageSize < all.length ? String(start + pageSize) : undefined;
    return new HttpReply(200, { accounts: page, ...(next ? { nextPageToken: next } : {}) });
  }
}

function methodNotAllowed(): HttpReply {
  return googleError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
