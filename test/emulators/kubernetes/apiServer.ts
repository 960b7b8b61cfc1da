import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import type { CryptoKey, JWK } from 'jose';

/** A certificate and its private key, both PEM. */
export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A test CA made with the openssl CLI; it issues server and client certificates. */
export interface CertificateAuthority extends PemPair {
  /**
   * Issues a certificate: `server` ones carry `names` as subjectAltName entries (`IP:127.0.0.1`,
   * `DNS:localhost`); `client` ones carry the user as CN and the groups as O, as Kubernetes reads them.
   */
  issue(
    kind: 'server' | 'client',
    commonName: string,
    options?: { readonly names?: readonly string[]; readonly groups?: readonly string[] },
  ): Promise<PemPair>;
  cleanup(): Promise<void>;
}

function openssl(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new Error(
          missing
            ? 'The Kubernetes emulator makes its certificates with the openssl CLI, which is not on PATH.'
            : `openssl ${args[0]} failed: ${stderr || error.message}`,
        ),
      );
    });
  });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Subject names for `-subj`: `/` and `\` and `+` in values are escaped. */
function subject(commonName: string, groups: readonly string[] = []): string {
  const esc = (v: string) => v.replace(/[\\/+=]/g, (c) => `\\${c}`);
  return `${groups.map((g) => `/O=${esc(g)}`).join('')}/CN=${esc(commonName)}`;
}

/**
 * Makes a CA (EC P-256, valid two days) with `openssl req -x509` in a temporary folder; leaf
 * certificates are signed with `openssl x509 -req`. Node can check certificates but not make them.
 */
export async function makeCertificateAuthority(
  name = 'kubernetes-emulator-ca',
): Promise<CertificateAuthority> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-ca-'));
  await openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      subject(name),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  let serial = 0;
  return {
    certPem: await readFile(join(dir, 'ca.crt'), 'utf8'),
    keyPem: await readFile(join(dir, 'ca.key'), 'utf8'),
    async issue(kind, commonName, options = {}) {
      const id = `leaf${++serial}`;
      const extensions = [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        `extendedKeyUsage=${kind === 'server' ? 'serverAuth' : 'clientAuth'}`,
        ...(options.names?.length ? [`subjectAltName=${options.names.join(',')}`] : []),
      ];
      await writeFile(join(dir, `${id}.ext`), `${extensions.join('\n')}\n`);
      await openssl(
        [
          'req',
          '-new',
          ...EC_KEY,
          '-keyout',
          `${id}.key`,
          '-out',
          `${id}.csr`,
          '-subj',
          subject(commonName, options.groups),
        ],
        dir,
      );
      await openssl(
        [
          'x509',
          '-req',
          '-in',
          `${id}.csr`,
          '-CA',
          'ca.crt',
          '-CAkey',
          'ca.key',
          '-set_serial',
          `0x${randomBytes(8).toString('hex')}`,
          '-days',
          '2',
          '-extfile',
          `${id}.ext`,
          '-out',
          `${id}.crt`,
        ],
        dir,
      );
      return {
        certPem: await readFile(join(dir, `${id}.crt`), 'utf8'),
        keyPem: await readFile(join(dir, `${id}.key`), 'utf8'),
      };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A fault the API server can be switched into (TokenRequest and every other route).
 * `no-token-request`: a server without the serviceaccounts/token subresource (Kubernetes before
 * 1.20, or an aggregated proxy serving part of the API), which answers apimachinery's generic
 * 404 Status without `details.kind` (k8s.io/apimachinery pkg/api/errors NewGenericServerResponse);
 * `plain-404`: something that is no API server, answering as Go's net/http NotFound does
 * (`404 page not found`, text/plain).
 */
export type KubeFault =
  'none' | 'http-500' | 'hang' | 'reset' | 'not-json' | 'no-token-request' | 'plain-404';

/** One request the API server received. */
export interface KubeRequestLog {
  readonly method: string;
  readonly path: string;
  /** The authenticated user name, `system:anonymous`, or undefined when authentication failed. */
  readonly user?: string;
  /** The parsed JSON body, if any. */
  readonly body?: unknown;
}

export interface EmulatedKubeServiceAccount {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** A Kubernetes `Status` failure object, as the API server returns on every error. */
function kubeStatus(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** RFC 3339 to the second, as Kubernetes writes timestamps. */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const TOKEN_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token$/;

/**
 * A Kubernetes API server over real HTTPS on 127.0.0.1, with a CA and a server certificate made
 * at start (subjectAltName `IP:127.0.0.1`, `DNS:localhost`, `DNS:kubernetes.default.svc`). It
 * speaks the TokenRequest API (`POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`) with the
 * API server's order of checks (authentication → RBAC → namespace → validation → service account)
 * and its `Status` errors, signs real RS256 tokens with Kubernetes' claims, and serves
 * `/.well-known/openid-configuration` and `/openid/v1/jwks` (also over plain HTTP on a second
 * loopback port, for clients that cannot trust the test CA).
 */
export class KubeApiServer {
  fault: KubeFault = 'none';
  /** Set by {@link overload}: answers still to give instead of serving. */
  private overloaded: { status: number; remaining: number; retryAfterSeconds?: number } | undefined;
  readonly requests: KubeRequestLog[] = [];
  private readonly namespaces = new Set<string>(['default', 'kube-system']);
  private readonly serviceAccounts = new Map<string, EmulatedKubeServiceAccount>();
  private readonly tokens = new Map<string, string>();
  private readonly grants = new Set<string>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly https: Server;
  private readonly http: Server;

  private constructor(
    readonly ca: CertificateAuthority,
    serverPair: PemPair,
    /** The `iss` of minted tokens and the default audience (`--api-audiences`). */
    readonly issuer: string,
    private readonly signingKey: { kid: string; privateKey: CryptoKey; publicJwk: JWK },
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      Promise.resolve()
        .then(() => this.handle(req, res))
        .catch((error: unknown) => {
          if (!res.headersSent)
            this.json(res, 500, kubeStatus(500, 'InternalError', String(error)));
        });
    };
    this.https = createHttpsServer(
      {
        cert: serverPair.certPem,
        key: serverPair.keyPem,
        ca: ca.certPem,
        // Like kube-apiserver: a client certificate is optional, and checked against the CA.
        requestCert: true,
        rejectUnauthorized: false,
      },
      handler,
    );
    this.http = createHttpServer((req, res) => {
      if (!this.handleDiscovery(req, res, this.httpUrl)) this.notFound(res);
    });
  }

  /** Starts a server with a fresh CA, server certificate and signing key. */
  static async start(options: { readonly issuer?: string } = {}): Promise<KubeApiServer> {
    const ca = await makeCertificateAuthority();
    const serverPair = await ca.issue('server', 'kube-apiserver', {
      names: ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes.default.svc'],
    });
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomBytes(16).toString('base64url');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const server = new KubeApiServer(
      ca,
      serverPair,
      options.issuer ?? 'https://kubernetes.default.svc.cluster.local',
      { kid, privateKey, publicJwk },
    );
    await Promise.all(
      [server.https, server.http].map(
        (s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve)),
      ),
    );
    return server;
  }

  /** `https://127.0.0.1:PORT`, the kubeconfig's `server`. */
  get url(): string {
    return `https://127.0.0.1:${(this.https.address() as AddressInfo).port}`;
  }

  /** The plain-HTTP twin that serves only discovery and the JWKS. */
  get httpUrl(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  /** The JWKS over plain HTTP, for a `jwksOverrides` entry of the inspector's JwksCache. */
  get jwksHttpUrl(): string {
    return `${this.httpUrl}/openid/v1/jwks`;
  }

  /** The PEM of the CA that signed the server certificate (and client certificates). */
  get caPem(): string {
    return this.ca.certPem;
  }

  /** The public key set (`/openid/v1/jwks`). */
  jwks(): { keys: JWK[] } {
    return { keys: [this.signingKey.publicJwk] };
  }

  addNamespace(name: string): void {
    this.namespaces.add(name);
  }

  /** Adds a service account (and its namespace). */
  addServiceAccount(namespace: string, name: string): EmulatedKubeServiceAccount {
    this.namespaces.add(namespace);
    const sa = { namespace, name, uid: randomUUID() };
    this.serviceAccounts.set(`${namespace}/${name}`, sa);
    return sa;
  }

  /** Removes a service account: the tokens issued to it stop authenticating. */
  removeServiceAccount(namespace: string, name: string): void {
    this.serviceAccounts.delete(`${namespace}/${name}`);
  }

  /**
   * The token the kubelet projects into a pod running as service account NAMESPACE/NAME: a
   * TokenRequest for the API server's own audience, bound to the pod, 3607 s, as the
   * `kube-api-access-*` projected volume asks
   * (https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume).
   * It authenticates as `system:serviceaccount:NAMESPACE:NAME`.
   */
  async podToken(namespace: string, name: string, pod = `${name}-pod`): Promise<string> {
    const sa =
      this.serviceAccounts.get(`${namespace}/${name}`) ?? this.addServiceAccount(namespace, name);
    const now = Math.floor(Date.now() / 1000);
    return this.sign(sa, [this.issuer], now, 3607, { pod: { name: pod, uid: randomUUID() } });
  }

  private sign(
    sa: EmulatedKubeServiceAccount,
    audiences: readonly string[],
    now: number,
    seconds: number,
    bound: Record<string, unknown>,
  ): Promise<string> {
    const { namespace, name, uid } = sa;
    return new SignJWT({
      aud: [...audiences],
      exp: now + seconds,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': { namespace, serviceaccount: { name, uid }, ...bound },
      nbf: now,
      sub: `system:serviceaccount:${namespace}:${name}`,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.signingKey.kid })
      .sign(this.signingKey.privateKey);
  }

  /** Registers a bearer token (static token file) for a user; returns the token. */
  addTokenUser(username: string, token = randomBytes(24).toString('base64url')): string {
    this.tokens.set(token, username);
    return token;
  }

  /** A client certificate for a user (CN) and groups (O), signed by the cluster's CA. */
  issueClientCertificate(username: string, groups: readonly string[] = []): Promise<PemPair> {
    return this.ca.issue('client', username, { groups });
  }

  /** RBAC: lets a user (or `system:serviceaccount:NS:NAME`) create serviceaccounts/token in a namespace. */
  allow(username: string, namespace: string): void {
    this.grants.add(`${username}\n${namespace}`);
  }

  /**
   * The common set-up in one call: service account NAMESPACE/NAME, a token user allowed to mint
   * for it, and a YAML kubeconfig at `path` whose current context ("lab") uses them.
   */
  async writeTokenUserKubeconfig(
    path: string,
    namespace = 'apps',
    serviceAccount = 'builder',
    user = 'alice',
  ): Promise<string> {
    this.addServiceAccount(namespace, serviceAccount);
    const token = this.addTokenUser(user);
    this.allow(user, namespace);
    return writeKubeconfig(path, {
      clusters: [this.cluster('lab')],
      users: [{ name: user, token }],
      contexts: [{ name: 'lab', cluster: 'lab', user, namespace }],
      currentContext: 'lab',
    });
  }

  /** The kubeconfig cluster entry for this server, CA as data. */
  cluster(name = 'emulator'): KubeconfigCluster {
    return { name, server: this.url, certificateAuthorityData: this.caPem };
  }

  /**
   * The next `count` requests (Infinity: all) are answered with `status` the way the API server
   * does when overloaded or restarting, then it serves again:
   * - 429: the max-in-flight and priority-and-fairness filters answer with `http.Error` text
   *   "Too many requests, please try again later." and `Retry-After` (k8s.io/apiserver
   *   pkg/server/filters/maxinflight.go `tooManyRequests`);
   * - 5xx: a `Status` whose `details.retryAfterSeconds` becomes the `Retry-After` header
   *   (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/writers.go `ErrorNegotiated`;
   *   `NewServerTimeout`/`NewTimeoutError` set it, `NewServiceUnavailable` and
   *   `NewInternalError` do not: pass no `retryAfterSeconds` for those).
   */
  overload(status: 429 | 500 | 503 | 504, count: number, retryAfterSeconds?: number): void {
    this.overloaded = {
      status,
      remaining: count,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
  }

  /**
   * A restart: the HTTPS port refuses connections for `ms`, then listens again on the same port.
   * Resolves once it has stopped listening.
   */
  async refuseConnectionsFor(ms: number): Promise<void> {
    const { port } = this.https.address() as AddressInfo;
    this.https.closeAllConnections();
    await new Promise<void>((resolve) => this.https.close(() => resolve()));
    setTimeout(() => this.https.listen(port, '127.0.0.1'), ms);
  }

  /** Answers as {@link overload} set, while it lasts; true when it answered. */
  private answerOverloaded(res: ServerResponse): boolean {
    const overloaded = this.overloaded;
    if (!overloaded || overloaded.remaining <= 0) return false;
    overloaded.remaining -= 1;
    const { status, retryAfterSeconds } = overloaded;
    const retryAfter =
      retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
    if (status === 429) {
      res
        .writeHead(429, { 'content-type': 'text/plain; charset=utf-8', ...retryAfter })
        .end('Too many requests, please try again later.\n');
      return true;
    }
    const [reason, message] =
      status === 503
        ? ['ServiceUnavailable', 'the server is currently unable to handle the request']
        : status === 504
          ? ['Timeout', 'Timeout: request did not complete within requested timeout']
          : ['InternalError', 'Internal error occurred: etcdserver: leader changed'];
    res
      .writeHead(status, { 'content-type': 'application/json', ...retryAfter })
      .end(
        JSON.stringify(
          kubeStatus(
            status,
            reason,
            message,
            retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined,
          ),
        ),
      );
    return true;
  }

  /** Stops both servers, dropping hanging and kept-alive connections, and removes the CA files. */
  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const server of [this.https, this.http]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.ca.cleanup();
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private notFound(res: ServerResponse): void {
    this.json(
      res,
      404,
      kubeStatus(404, 'NotFound', 'the server could not find the requested resource', {}),
    );
  }

  /** The user of a request: client certificate first, then bearer token, else anonymous. */
  private async authenticate(req: IncomingMessage): Promise<string | undefined> {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    if (peer && Object.keys(peer).length > 0) {
      if (!socket.authorized) return undefined;
      const cn = peer.subject?.CN;
      return Array.isArray(cn) ? cn[0] : cn;
    }
    const header = req.headers.authorization;
    if (header !== undefined) {
      const token = /^Bearer (.+)$/i.exec(header)?.[1];
      if (!token) return undefined;
      return this.tokens.get(token) ?? (await this.serviceAccountUser(token));
    }
    return 'system:anonymous';
  }

  /**
   * The user of a service-account token this server issued (a pod's projected token), as the
   * API server's service-account authenticator checks it: its own signature and issuer, one of
   * its API audiences (--api-audiences, default the issuer), not expired, and the service account
   * still there with the same uid (kubernetes/kubernetes pkg/serviceaccount/jwt.go `Validator`,
   * claims.go `Validate`: "service account UID … does not match claim"). Anything else: 401.
   */
  private async serviceAccountUser(token: string): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.signingKey.publicJwk, {
        issuer: this.issuer,
        audience: this.issuer,
      });
      const claim = payload['kubernetes.io'] as
        { namespace?: string; serviceaccount?: { name?: string; uid?: string } } | undefined;
      const sa = this.serviceAccounts.get(`${claim?.namespace}/${claim?.serviceaccount?.name}`);
      if (!sa || sa.uid !== claim?.serviceaccount?.uid) return undefined;
      return `system:serviceaccount:${sa.namespace}:${sa.name}`;
    } catch {
      return undefined;
    }
  }

  private handleDiscovery(req: IncomingMessage, res: ServerResponse, base: string): boolean {
    const path = new URL(req.url ?? '/', base).pathname;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      this.json(res, 200, {
        issuer: this.issuer,
        jwks_uri: `${base}/openid/v1/jwks`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
      return true;
    }
    if (req.method === 'GET' && path === '/openid/v1/jwks') {
      this.json(res, 200, this.jwks());
      return true;
    }
    return false;
  }

  private async readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    const text = await this.readBody(req);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const user = await this.authenticate(req);
    this.requests.push({
      method: req.method ?? '',
      path,
      ...(user ? { user } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    if (this.answerOverloaded(res)) return;
    switch (this.fault) {
      case 'hang':
        this.hanging.add(res);
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'http-500':
        this.json(
          res,
          500,
          kubeStatus(
            500,
            'InternalError',
            'Internal error occurred: etcdserver: request timed out',
          ),
        );
        return;
      case 'not-json':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>');
        return;
      case 'no-token-request':
        this.notFound(res);
        return;
      case 'plain-404':
        res
          .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
          .end('404 page not found\n');
        return;
      default:
        break;
    }
    if (this.handleDiscovery(req, res, this.url)) return;
    const match = TOKEN_PATH.exec(path);
    if (!match || req.method !== 'POST') {
      this.notFound(res);
      return;
    }
    const namespace = decodeURIComponent(match[1] ?? '');
    const name = decodeURIComponent(match[2] ?? '');
    if (user === undefined) {
      this.json(res, 401, kubeStatus(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (!this.grants.has(`${user}\n${namespace}`)) {
      this.json(
        res,
        403,
        kubeStatus(
          403,
          'Forbidden',
          `serviceaccounts "${name}" is forbidden: User "${user}" cannot create resource "serviceaccounts/token" in API group "" in the namespace "${namespace}"`,
          { name, kind: 'serviceaccounts' },
        ),
      );
      return;
    }
    if (!this.namespaces.has(namespace)) {
      // The NamespaceLifecycle admission plugin refuses creates in a missing namespace.
      this.json(
        res,
        404,
        kubeStatus(404, 'NotFound', `namespaces "${namespace}" not found`, {
          name: namespace,
          kind: 'namespaces',
        }),
      );
      return;
    }
    const request = body as
      | {
          kind?: unknown;
          apiVersion?: unknown;
          spec?: { audiences?: unknown; expirationSeconds?: unknown; boundObjectRef?: unknown };
        }
      | undefined;
    if (
      typeof request !== 'object' ||
      request === null ||
      request.kind !== 'TokenRequest' ||
      request.apiVersion !== 'authentication.k8s.io/v1'
    ) {
      this.json(
        res,
        400,
        kubeStatus(400, 'BadRequest', 'the body of the request was in an unknown format'),
      );
      return;
    }
    const spec = request.spec ?? {};
    const seconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600;
    if (seconds < 600) {
      const why = `Invalid value: ${seconds}: may not specify a duration less than 10 minutes`;
      this.json(
        res,
        422,
        kubeStatus(
          422,
          'Invalid',
          `TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: ${why}`,
          {
            group: 'authentication.k8s.io',
            kind: 'TokenRequest',
            causes: [
              { reason: 'FieldValueInvalid', message: why, field: 'spec.expirationSeconds' },
            ],
          },
        ),
      );
      return;
    }
    const sa = this.serviceAccounts.get(`${namespace}/${name}`);
    if (!sa) {
      this.json(
        res,
        404,
        kubeStatus(404, 'NotFound', `serviceaccounts "${name}" not found`, {
          name,
          kind: 'serviceaccounts',
        }),
      );
      return;
    }
    const audiences =
      Array.isArray(spec.audiences) && spec.audiences.length > 0
        ? (spec.audiences as string[])
        : [this.issuer];
    // A bound token names its object in the `kubernetes.io` claim (pod, secret or node with name
    // and uid; the API server fills in the object's uid when the request gives none):
    // kubernetes/kubernetes pkg/serviceaccount/claims.go, BoundObjectReference in
    // authentication/v1 (kind Pod|Secret|Node, apiVersion v1).
    const ref = spec.boundObjectRef as Record<string, unknown> | null | undefined;
    let bound: Record<string, unknown> = {};
    if (ref) {
      const kind = String(ref.kind);
      if (!['Pod', 'Secret', 'Node'].includes(kind) || ref.apiVersion !== 'v1' || !ref.name) {
        this.json(
          res,
          422,
          kubeStatus(
            422,
            'Invalid',
            `TokenRequest.authentication.k8s.io "${name}" is invalid: spec.boundObjectRef.kind: Unsupported value: "${kind}"`,
            { group: 'authentication.k8s.io', kind: 'TokenRequest' },
          ),
        );
        return;
      }
      bound = {
        [kind.toLowerCase()]: {
          name: ref.name,
          uid: typeof ref.uid === 'string' && ref.uid ? ref.uid : randomUUID(),
        },
      };
    }
    const now = Math.floor(Date.now() / 1000);
    const token = await this.sign(sa, audiences, now, seconds, bound);
    this.json(res, 201, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: timestamp(now * 1000) },
      spec: { audiences, expirationSeconds: seconds, boundObjectRef: ref ?? null },
      status: { token, expirationTimestamp: timestamp((now + seconds) * 1000) },
    });
  }
}

/** A kubeconfig cluster; `*Data` fields take PEM text (the writer base64-encodes it). */
export interface KubeconfigCluster {
  readonly name: string;
  readonly server: string;
  readonly certificateAuthorityData?: string;
  readonly certificateAuthority?: string;
  readonly insecureSkipTlsVerify?: boolean;
  readonly tlsServerName?: string;
  /** `proxy-url` (client-go: http, https or socks5). */
  readonly proxyUrl?: string;
}

/** A kubeconfig user; `*Data` fields take PEM text. */
export interface KubeconfigUser {
  readonly name: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  /**
   * An exec credential plugin, e.g. `{ command: 'gke-gcloud-auth-plugin' }`; other keys of the
   * kubeconfig's `exec` (apiVersion, env, interactiveMode, …) override the v1beta1 defaults.
   */
  readonly exec?: { readonly command: string; readonly args?: readonly string[] } & Readonly<
    Record<string, unknown>
  >;
  /** An auth-provider by name, or with the config (cached tokens) it keeps in the kubeconfig. */
  readonly authProvider?: string | { readonly name: string; readonly config: object };
}

export interface KubeconfigContext {
  readonly name: string;
  readonly cluster: string;
  readonly user?: string;
  readonly namespace?: string;
}

export interface KubeconfigSpec {
  readonly clusters?: readonly KubeconfigCluster[];
  readonly users?: readonly KubeconfigUser[];
  readonly contexts?: readonly KubeconfigContext[];
  readonly currentContext?: string;
}

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

/** The kubeconfig as plain data, with kubectl's field names. */
function kubeconfigObject(spec: KubeconfigSpec): Record<string, unknown> {
  const defined = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: (spec.clusters ?? []).map((c) => ({
      name: c.name,
      cluster: defined({
        server: c.server,
        'certificate-authority-data': c.certificateAuthorityData && b64(c.certificateAuthorityData),
        'certificate-authority': c.certificateAuthority,
        'insecure-skip-tls-verify': c.insecureSkipTlsVerify,
        'tls-server-name': c.tlsServerName,
        'proxy-url': c.proxyUrl,
      }),
    })),
    contexts: (spec.contexts ?? []).map((c) => ({
      name: c.name,
      context: defined({ cluster: c.cluster, user: c.user, namespace: c.namespace }),
    })),
    ...(spec.currentContext !== undefined ? { 'current-context': spec.currentContext } : {}),
    users: (spec.users ?? []).map((u) => ({
      name: u.name,
      user: defined({
        token: u.token,
        tokenFile: u.tokenFile,
        'client-certificate-data': u.clientCertificateData && b64(u.clientCertificateData),
        'client-key-data': u.clientKeyData && b64(u.clientKeyData),
        'client-certificate': u.clientCertificate,
        'client-key': u.clientKey,
        exec: u.exec && {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          args: [],
          interactiveMode: 'IfAvailable',
          provideClusterInfo: true,
          ...u.exec,
        },
        'auth-provider':
          typeof u.authProvider === 'string'
            ? { name: u.authProvider, config: {} }
            : u.authProvider,
      }),
    })),
  };
}

/** Block-style YAML of plain data, written by hand (strings double-quoted, JSON escapes). */
function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value
      .map((item) => {
        const inner = toYaml(item, `${indent}  `);
        return `\n${indent}-${inner.startsWith('\n') ? inner.replace(/^\n\s*/, ' ') : inner}`;
      })
      .join('');
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return ' {}';
    return entries.map(([k, v]) => `\n${indent}${k}:${toYaml(v, `${indent}  `)}`).join('');
  }
  return ` ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
}

/** A kubeconfig as YAML text, laid out the way kubectl writes it. */
export function kubeconfigYaml(spec: KubeconfigSpec): string {
  return `${toYaml(kubeconfigObject(spec)).trimStart()}\n`;
}

/** A kubeconfig as JSON text (valid YAML too). */
export function kubeconfigJson(spec: KubeconfigSpec): string {
  return JSON.stringify(kubeconfigObject(spec), null, 2);
}

/** Writes a kubeconfig file (YAML unless `format` is json) and returns its path. */
export async function writeKubeconfig(
  path: string,
  spec: KubeconfigSpec,
  format: 'yaml' | 'json' = 'yaml',
): Promise<string> {
  await writeFile(path, format === 'json' ? kubeconfigJson(spec) : kubeconfigYaml(spec));
  return path;
}
