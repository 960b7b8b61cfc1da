import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TokenExplorerError, errorMessage } from '../../errors';
import type { HttpFailure } from '../../http';
import { peekToken } from '../../jwt/peek';
import type { ProcessResult } from '../../ports';
import { JWT_SHAPE, errorLines, excerpt, failureHead, runCli } from '../cli';
import type { Account, MintRequest, MintedToken, Provider, ProviderContext } from '../provider';
import { ExecCredentialCache } from './execCredential';
import { inClusterContext } from './inCluster';
import type { KubeCredentials, ResolvedKubeContext } from './kubeconfig';
import { expandHome, loadKubeconfig, readClusterCredentials, resolveContext } from './kubeconfig';
import { officialText, recogniseOfficialText } from '../officialTexts';
import { nonTextSettings, optionalString } from '../settings';

/** The API server refuses shorter tokens (TokenRequest validation). */
export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const DEFAULT_EXPIRATION_SECONDS = 3600;
/** A TokenRequest answer is a few kilobytes; more means this is not the API server. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const MAX_SERVER_TEXT = 400;
const MAX_ERROR_LINES = 4;
/** DNS-1123 subdomain (service-account names) and label (namespaces). */
const SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The settings of a `kubernetes` account. */
export interface KubernetesSettings {
  readonly serviceAccount: string;
  /** Default: the context's namespace, else `default`. */
  readonly namespace?: string;
  /** Default: the kubeconfig's `current-context`. */
  readonly context?: string;
  /** Default: KUBECONFIG, else ~/.kube/config. */
  readonly kubeconfig?: string;
  /** As configured; minting raises it to {@link MIN_EXPIRATION_SECONDS}. */
  readonly expirationSeconds: number;
  readonly method: 'api' | 'kubectl';
  /** An account-specific kubectl; otherwise the machine-scoped setting decides. */
  readonly kubectlPath?: string;
  /** The object the token is bound to: it stops being valid when the object is deleted. */
  readonly boundObject?: BoundObject;
}

/**
 * A TokenRequest `spec.boundObjectRef` (authentication/v1 BoundObjectReference) and kubectl's
 * `--bound-object-kind/-name/-uid`: kinds Pod, Secret and Node, all apiVersion v1
 * (kubernetes/kubectl pkg/cmd/create/create_token.go `boundObjectKinds`).
 */
export interface BoundObject {
  readonly kind: 'Pod' | 'Secret' | 'Node';
  readonly name: string;
  /** When unset the API server uses the existing object's uid. */
  readonly uid?: string;
}

const BOUND_KINDS = ['Node', 'Pod', 'Secret'];

/** The problems of a `boundObject` setting, in kubectl's terms (create_token.go `Validate`). */
function boundObjectProblems(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    return ['"boundObject" must be {"kind": "Pod" | "Secret" | "Node", "name": …, "uid"?: …}.'];
  }
  const { kind, name, uid } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof kind !== 'string' || !BOUND_KINDS.includes(kind)) {
    problems.push(`"boundObject.kind" must be one of ${BOUND_KINDS.join(', ')}.`);
  }
  if (typeof name !== 'string' || name.trim() === '') {
    problems.push('"boundObject.name" is required when "boundObject" is set.');
  }
  if (uid !== undefined && typeof uid !== 'string')
    problems.push('"boundObject.uid" must be text.');
  return problems;
}

function settingProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const sa = settings.serviceAccount;
  if (typeof sa !== 'string' || sa.trim() === '') {
    problems.push('Set "serviceAccount" to the name of the service account.');
  } else if (!SUBDOMAIN.test(sa.trim())) {
    problems.push(
      `"serviceAccount" (${sa}) is not a Kubernetes name: lower-case letters, digits, "-" and ".".`,
    );
  }
  const ns = settings.namespace;
  if (
    ns !== undefined &&
    (typeof ns !== 'string' || (ns.trim() !== '' && !LABEL.test(ns.trim())))
  ) {
    problems.push(
      `"namespace" (${String(ns)}) is not a Kubernetes namespace name: lower-case letters, digits and "-", at most 63.`,
    );
  }
  problems.push(...nonTextSettings(settings, ['context', 'kubeconfig', 'kubectlPath']));
  const seconds = settings.expirationSeconds;
  if (
    seconds !== undefined &&
    (typeof seconds !== 'number' ||
      !Number.isInteger(seconds) ||
      seconds < 1 ||
      seconds > MAX_EXPIRATION_SECONDS)
  ) {
    problems.push(
      `"expirationSeconds" must be a whole number of seconds (at least ${MIN_EXPIRATION_SECONDS}).`,
    );
  }
  problems.push(...boundObjectProblems(settings.boundObject));
  if (settings.method !== undefined && settings.method !== 'api' && settings.method !== 'kubectl') {
    problems.push('"method" must be "api" or "kubectl".');
  }
  return problems;
}

/**
 * Reads the settings of a `kubernetes` account, with defaults.
 * @throws TokenExplorerError `bad-config` listing what is wrong.
 */
export function readKubernetesSettings(account: Account): KubernetesSettings {
  const problems = settingProblems(account.settings);
  if (problems.length > 0) {
    throw new TokenExplorerError(
      'bad-config',
      `The account "${account.name ?? account.id}" is not set up right: ${problems.join(' ')}`,
    );
  }
  const s = account.settings;
  const namespace = optionalString(s.namespace);
  const context = optionalString(s.context);
  const kubeconfig = optionalString(s.kubeconfig);
  const kubectlPath = optionalString(s.kubectlPath);
  return {
    serviceAccount: (s.serviceAccount as string).trim(),
    ...(namespace ? { namespace } : {}),
    ...(context ? { context } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    expirationSeconds: (s.expirationSeconds as number | undefined) ?? DEFAULT_EXPIRATION_SECONDS,
    method: s.method === 'kubectl' ? 'kubectl' : 'api',
    ...(kubectlPath ? { kubectlPath } : {}),
    ...(s.boundObject
      ? { boundObject: readBoundObject(s.boundObject as Record<string, string>) }
      : {}),
  };
}

function readBoundObject(raw: Record<string, string>): BoundObject {
  const uid = raw.uid?.trim();
  return {
    kind: raw.kind as BoundObject['kind'],
    name: (raw.name ?? '').trim(),
    ...(uid ? { uid } : {}),
  };
}

/** The lifetime to ask for: the setting, raised to the API's minimum with a note in the log. */
function expirationFor(settings: KubernetesSettings, account: Account, context: ProviderContext) {
  if (settings.expirationSeconds >= MIN_EXPIRATION_SECONDS) return settings.expirationSeconds;
  context.logger.warn(
    `Kubernetes account "${account.name ?? account.id}": expirationSeconds ${settings.expirationSeconds} is below the API's minimum of ${MIN_EXPIRATION_SECONDS} s; asking for ${MIN_EXPIRATION_SECONDS} s.`,
  );
  return MIN_EXPIRATION_SECONDS;
}

function clip(text: string): string {
  const flat = text.trim();
  return flat.length > MAX_SERVER_TEXT ? `${flat.slice(0, MAX_SERVER_TEXT)}…` : flat;
}

/** The token's expiry from its `exp` claim, else from the API's `expirationTimestamp`. */
function mintedToken(token: string, expirationTimestamp: unknown, from: string): MintedToken {
  if (!JWT_SHAPE.test(token)) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `${from} returned something that is not a JWT (${token.length} characters).`,
    );
  }
  const exp = peekToken(token).times.exp;
  if (exp !== undefined) return { token, expiresAt: Math.round(exp * 1000) };
  const stamp = typeof expirationTimestamp === 'string' ? Date.parse(expirationTimestamp) : NaN;
  if (Number.isNaN(stamp)) {
    throw new TokenExplorerError('bad-response', `${from} returned a token without an expiry.`);
  }
  return { token, expiresAt: stamp };
}

/** Where the cluster comes from, for messages. */
interface ClusterOrigin {
  readonly context: string;
  readonly cluster: string;
  readonly source: string;
  readonly user?: string;
}

const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** Why a connection to the API server failed, in words, from Node's error codes. */
function connectionProblem(
  error: unknown,
  url: URL,
  credentials: KubeCredentials,
  origin: ClusterOrigin,
): string {
  const code = (error as { code?: unknown }).code;
  const cluster = `cluster "${origin.cluster}" in ${origin.source}`;
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.has(code)) {
    return credentials.ca
      ? `the cluster's certificate is not signed by the CA in your kubeconfig (${code}). The "certificate-authority-data" (or "certificate-authority") of ${cluster} is not this cluster's CA: fetch a fresh kubeconfig for the cluster`
      : `the cluster's certificate is not signed by a CA this computer trusts, and ${cluster} names no "certificate-authority-data" (${code}). Add the cluster's CA to the kubeconfig`;
  }
  switch (code) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the cluster's certificate is not issued for ${credentials.tlsServerName ?? url.hostname} (${code}). If you reach the cluster under another name (a tunnel, a load balancer, an IP), set "tls-server-name" of ${cluster} to a name the certificate holds`;
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return `the cluster's certificate is not valid now (${code}); check this computer's clock, or the cluster's certificates`;
    case 'ECONNREFUSED':
      return 'connection refused (nothing is listening there: is the cluster running, and the "server" port right?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name could not be resolved (offline, a VPN is needed, or a typo in "server")';
    case 'ECONNRESET':
      return 'the connection was reset by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return 'the host cannot be reached from this computer (a VPN or firewall?)';
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return 'the server did not answer TLS: is "server" an https URL of the API server, with the right port?';
    default:
      if (typeof code === 'string' && /ALERT/.test(code)) {
        return `the cluster ended the TLS handshake (${code}); it may not accept your client certificate`;
      }
      return errorMessage(error);
  }
}

/** An HTTP answer of the API server. */
interface KubeAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly text: string;
}

/**
 * One request to the Kubernetes API with the cluster's CA, client certificate and bearer token, a
 * hard timeout and cancellation; resolves with the status and body text of any HTTP answer. Node's `fetch` cannot take a CA or client certificate
 * per request, so this uses `node:https`. Failures are TokenExplorerErrors naming the URL (never a
 * header or the credentials).
 */
function httpsJson(
  method: 'GET' | 'POST',
  url: URL,
  body: string | undefined,
  credentials: KubeCredentials,
  origin: ClusterOrigin,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<KubeAnswer> {
  const shown = `${url.origin}${url.pathname}`;
  return new Promise<KubeAnswer>((resolve, reject) => {
    let settled = false;
    let ended: 'timeout' | 'cancelled' | undefined;
    let req: ClientRequest | undefined;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const failed = (error: unknown, during: string) =>
      finish(() => {
        if (ended === 'cancelled') {
          reject(
            new TokenExplorerError('cancelled', `The request to ${shown} was cancelled.`, {
              cause: error,
            }),
          );
        } else if (ended === 'timeout') {
          reject(
            new TokenExplorerError(
              'timeout',
              `${shown} did not answer within ${options.timeoutMs / 1000} s. Check that the cluster is reachable (VPN, firewall), then try again.`,
              { cause: error },
            ),
          );
        } else {
          const code = String((error as { code?: unknown }).code);
          const tls = UNTRUSTED_CERTIFICATE.has(code) || /^(ERR_TLS_|CERT_)/.test(code);
          reject(
            new TokenExplorerError(
              'network',
              `${tls ? 'Could not connect securely to' : during} ${shown}: ${connectionProblem(error, url, credentials, origin)}.`,
              { cause: error },
            ),
          );
        }
      });
    const onAbort = () => {
      ended = 'cancelled';
      req?.destroy(new Error('cancelled'));
    };
    const timer = setTimeout(() => {
      ended = 'timeout';
      req?.destroy(new Error('timeout'));
    }, options.timeoutMs);
    if (options.signal?.aborted) {
      ended = 'cancelled';
      failed(new Error('cancelled'), 'Cancelled');
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          res.destroy();
          finish(() =>
            reject(
              new TokenExplorerError(
                'bad-response',
                `${shown} answered with more than ${MAX_ANSWER_BYTES / 1024} KiB; is "server" the Kubernetes API server?`,
              ),
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error) => failed(error, 'The answer broke off from'));
      res.on('end', () =>
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        ),
      );
      res.on('close', () => {
        if (!res.complete) failed(new Error('aborted'), 'The answer broke off from');
      });
    };
    try {
      req =
        url.protocol === 'https:'
          ? httpsRequest(
              url,
              {
                method,
                headers,
                agent: false,
                rejectUnauthorized: !credentials.insecureSkipTlsVerify,
                ...(credentials.ca ? { ca: credentials.ca } : {}),
                ...(credentials.clientCertificate ? { cert: credentials.clientCertificate } : {}),
                ...(credentials.clientKey ? { key: credentials.clientKey } : {}),
                ...(credentials.tlsServerName ? { servername: credentials.tlsServerName } : {}),
              },
              onResponse,
            )
          : httpRequest(url, { method, headers, agent: false }, onResponse);
    } catch (error) {
      // Node checks the TLS material when the request is made: a key that does not match its
      // certificate, or PEM it cannot read.
      finish(() =>
        reject(
          new TokenExplorerError(
            'bad-config',
            `The client certificate or key of user "${origin.user ?? ''}" (in ${origin.source}) cannot be used: ${(error as { code?: string }).code ?? errorMessage(error)}. Check that "client-key" belongs to "client-certificate".`,
            { cause: error },
          ),
        ),
      );
      return;
    }
    req.on('error', (error) => failed(error, 'Could not reach'));
    req.end(body);
  });
}

/** The fields of a Kubernetes `Status` error body that messages use. */
interface KubeStatus {
  readonly message?: string;
  readonly reason?: string;
  readonly kind?: string;
}

function readStatus(text: string): KubeStatus {
  try {
    const body = JSON.parse(text) as Record<string, unknown> | null;
    if (typeof body !== 'object' || body === null) return {};
    const details = body.details as Record<string, unknown> | undefined;
    return {
      ...(typeof body.message === 'string' ? { message: body.message } : {}),
      ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
      ...(typeof details?.kind === 'string' ? { kind: details.kind } : {}),
    };
  } catch {
    return {};
  }
}

/** The `kubectl create role/rolebinding` lines that grant token requests for one account. */
function rbacHint(requester: string | undefined, namespace: string, serviceAccount: string) {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(requester ?? '');
  const subject = sa
    ? `--serviceaccount=${sa[1]}:${sa[2]}`
    : `--user=${requester && requester !== 'system:anonymous' ? requester : 'YOUR_USER'}`;
  return `It needs the RBAC permission "create" on "serviceaccounts/token" in the namespace ${namespace}, e.g.:\nkubectl create role token-requester --verb=create --resource=serviceaccounts/token --resource-name=${serviceAccount} -n ${namespace}\nkubectl create rolebinding token-requester --role=token-requester ${subject} -n ${namespace}`;
}

/** The user name in a Forbidden message: `... is forbidden: User "jane" cannot create ...`. */
function requesterIn(message: string): string | undefined {
  return /User "([^"]+)" cannot/.exec(message)?.[1];
}

/** The error for an HTTP error status of the TokenRequest call. */
function statusFailure(
  answer: KubeAnswer,
  shown: string,
  origin: ClusterOrigin,
  namespace: string,
  serviceAccount: string,
): TokenExplorerError {
  const status = readStatus(answer.text);
  const said = status.message ?? clip(answer.text);
  const http = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  // The HttpFailure shape of ../../http, so callers read every provider's HTTP errors alike.
  const cause: HttpFailure = {
    status: answer.status,
    ...(status.reason ? { error: status.reason } : {}),
    ...(status.message ? { description: status.message } : {}),
  };
  const who = origin.user ? `the user "${origin.user}"` : 'an anonymous request (no user)';
  switch (answer.status) {
    case 401:
      return new TokenExplorerError(
        'bad-credentials',
        `The cluster of context "${origin.context}" rejected the credentials of ${who} (${http}): the token has expired or was revoked, or the cluster does not trust the client certificate. Refresh the kubeconfig (e.g. your cloud's "get-credentials" command) and try again.`,
        { cause },
      );
    case 403: {
      const requester = requesterIn(said);
      const anonymous = requester === 'system:anonymous' || (!requester && !origin.user);
      return new TokenExplorerError(
        'permission-denied',
        `${requester ? `"${requester}"` : who} may not request tokens for the service account ${namespace}/${serviceAccount} (${http}: ${said}).${anonymous ? ` The request was anonymous: the user of context "${origin.context}" has no token or client certificate.` : ''} ${rbacHint(requester, namespace, serviceAccount)}`,
        { cause },
      );
    }
    case 404: {
      // Only a Status whose details.kind is serviceaccounts (or namespaces) names a missing
      // object; a Status without a kind is the API server lacking the token subresource, and a
      // body that is no Status at all came from something else (a proxy's "404 page not found").
      const id =
        status.kind === 'serviceaccounts'
          ? 'kubernetes-service-account-missing'
          : status.kind === 'namespaces'
            ? 'kubernetes-namespace-missing'
            : status.message !== undefined
              ? 'kubernetes-token-request-missing'
              : 'kubernetes-plain-404';
      const row = officialText(id);
      return new TokenExplorerError(
        row.code,
        `${shown} answered ${http} (${said}). ${row.advice({ namespace, serviceAccount, context: origin.context })}`,
        { cause },
      );
    }
    case 400:
    case 422:
      return new TokenExplorerError(
        'bad-config',
        `The cluster refused the token request (${http}): ${said}`,
        { cause },
      );
    default:
      return new TokenExplorerError(
        'http-status',
        `${shown} answered ${http}${said ? ` (${said})` : ''}.${answer.status === 429 || answer.status >= 500 ? ' The cluster had a problem; try again in a moment.' : ''}`,
        { cause },
      );
  }
}

/** The TokenRequest URL, keeping a path prefix of `server` (e.g. a Rancher proxy). */
function tokenRequestUrl(server: string, namespace: string, serviceAccount: string): URL {
  const url = new URL(server);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`;
  url.search = '';
  url.hash = '';
  return url;
}

/** Credentials of exec plugins, shared by every account of this provider. */
const execCredentials = new ExecCredentialCache();

/** The context's credentials with what its user's exec plugin gives (token or certificate). */
async function withExecCredentials(
  credentials: KubeCredentials,
  resolved: ResolvedKubeContext,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<KubeCredentials> {
  const exec = resolved.user?.exec;
  if (!exec) return credentials;
  const { cluster } = resolved;
  const given = await execCredentials.get(
    exec,
    execCluster(resolved, credentials),
    `user "${resolved.user?.name ?? ''}" (in ${cluster.source})`,
    context,
    signal,
  );
  return {
    ...credentials,
    ...(given.token ? { token: given.token } : {}),
    ...(given.clientCertificateData
      ? { clientCertificate: given.clientCertificateData, clientKey: given.clientKeyData ?? '' }
      : {}),
  };
}

/** The cluster an exec plugin is told about (client-go: spec.cluster when provideClusterInfo). */
function execCluster(resolved: ResolvedKubeContext, credentials: KubeCredentials) {
  const { cluster } = resolved;
  return {
    server: cluster.server,
    insecureSkipTlsVerify: cluster.insecureSkipTlsVerify,
    ...(cluster.tlsServerName ? { tlsServerName: cluster.tlsServerName } : {}),
    ...(credentials.ca ? { certificateAuthorityData: credentials.ca } : {}),
    ...(cluster.proxyUrl ? { proxyUrl: cluster.proxyUrl } : {}),
    ...(cluster.execExtension !== undefined ? { config: cluster.execExtension } : {}),
  };
}

async function mintWithApi(
  settings: KubernetesSettings,
  expirationSeconds: number,
  request: MintRequest,
  context: ProviderContext,
): Promise<MintedToken> {
  const config = await loadKubeconfig(
    context,
    settings.kubeconfig ? { path: settings.kubeconfig } : { allowMissingDefault: true },
  );
  // No kubeconfig at all: in a pod, use its service account as client-go's in-cluster config.
  const inCluster = config.files.length === 0 ? await inClusterContext(context) : undefined;
  if (config.files.length === 0 && !inCluster) await loadKubeconfig(context);
  const resolved: ResolvedKubeContext =
    inCluster?.resolved ?? resolveContext(config, settings.context);
  const fromKubeconfig =
    inCluster?.credentials ?? (await readClusterCredentials(context, resolved));
  let credentials = await withExecCredentials(fromKubeconfig, resolved, context, request.signal);
  const origin: ClusterOrigin = {
    context: resolved.name,
    cluster: resolved.cluster.name,
    source: resolved.cluster.source,
    ...(resolved.user ? { user: resolved.user.name } : {}),
  };
  if (credentials.insecureSkipTlsVerify) {
    context.logger.warn(
      `Kubernetes cluster "${origin.cluster}" (${credentials.server}): the certificate of the API server is not checked, because "insecure-skip-tls-verify: true" is set in ${origin.source}.`,
    );
  }
  const namespace = settings.namespace ?? resolved.namespace;
  const url = tokenRequestUrl(credentials.server, namespace, settings.serviceAccount);
  const shown = `${url.origin}${url.pathname}`;
  const audience = request.audience.trim();
  // Without audiences the API server uses its own (its --api-audiences, usually the issuer).
  const body = JSON.stringify({
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      ...(audience ? { audiences: [audience] } : {}),
      expirationSeconds,
      ...(settings.boundObject
        ? { boundObjectRef: { apiVersion: 'v1', ...settings.boundObject } }
        : {}),
    },
  });
  const send = () =>
    httpsJson('POST', url, body, credentials, origin, {
      timeoutMs: context.timeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  let answer = await send();
  const exec = resolved.user?.exec;
  if (answer.status === 401 && exec) {
    // client-go refreshes exec credentials once when the server answers 401 (exec.go MaybeRefresh).
    execCredentials.forget(exec, execCluster(resolved, fromKubeconfig));
    credentials = await withExecCredentials(fromKubeconfig, resolved, context, request.signal);
    answer = await send();
  }
  if (answer.status < 200 || answer.status > 299) {
    throw statusFailure(answer, shown, origin, namespace, settings.serviceAccount);
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    throw new TokenExplorerError(
      'bad-response',
      `${shown} did not answer with JSON; is "server" of cluster "${origin.cluster}" the Kubernetes API server?`,
    );
  }
  const status = (json as { status?: { token?: unknown; expirationTimestamp?: unknown } } | null)
    ?.status;
  if (typeof status?.token !== 'string' || status.token === '') {
    throw new TokenExplorerError('bad-response', `${shown} answered without "status.token".`);
  }
  return mintedToken(status.token, status.expirationTimestamp, shown);
}

/** The arguments of `kubectl create token` for an account. */
function kubectlArgs(
  settings: KubernetesSettings,
  audience: string,
  expirationSeconds: number,
  homeDir: string,
): string[] {
  const args = ['create', 'token', settings.serviceAccount];
  // Without --namespace kubectl takes the context's namespace, else "default", as the API method.
  if (settings.namespace) args.push(`--namespace=${settings.namespace}`);
  if (audience) args.push(`--audience=${audience}`);
  args.push(`--duration=${expirationSeconds}s`);
  const bound = settings.boundObject;
  if (bound) {
    args.push(`--bound-object-kind=${bound.kind}`, `--bound-object-name=${bound.name}`);
    if (bound.uid) args.push(`--bound-object-uid=${bound.uid}`);
  }
  if (settings.context) args.push(`--context=${settings.context}`);
  if (settings.kubeconfig) args.push(`--kubeconfig=${expandHome(settings.kubeconfig, homeDir)}`);
  return args;
}

/** kubectl's error output for quoting: the first few non-blank lines. */
function kubectlError(stderr: string): string {
  return excerpt(errorLines(stderr), MAX_ERROR_LINES, MAX_SERVER_TEXT);
}

/** The error for a failed `kubectl create token`, with what to do for the common failures. */
function kubectlFailure(
  result: ProcessResult,
  args: readonly string[],
  settings: KubernetesSettings,
): TokenExplorerError {
  const said = kubectlError(result.stderr);
  const head = failureHead(`kubectl ${args.join(' ')}`, result, said);
  const sa = settings.serviceAccount;
  if (/unknown command "token"|unknown flag: --(audience|duration)/.test(said)) {
    return new TokenExplorerError(
      'cli-failed',
      `${head}\`kubectl create token\` needs kubectl 1.24 or newer: update kubectl, or use the API method.`,
    );
  }
  const missingKubeconfig = /stat (.+): no such file or directory/.exec(said);
  if (missingKubeconfig) {
    return new TokenExplorerError(
      'bad-config',
      `${head}The kubeconfig ${missingKubeconfig[1]} does not exist; check the account's "kubeconfig".`,
    );
  }
  const row = recogniseOfficialText('kubernetes', said);
  if (row) {
    const missingNamespace = /namespaces "([^"]+)" not found/.exec(said)?.[1];
    return new TokenExplorerError(
      row.code,
      `${head}${row.advice({
        ...((missingNamespace ?? settings.namespace)
          ? { namespace: missingNamespace ?? settings.namespace }
          : {}),
        serviceAccount: sa,
        ...(settings.context ? { context: settings.context } : {}),
      })}`,
    );
  }
  if (/forbidden|\(Forbidden\)/i.test(said)) {
    return new TokenExplorerError(
      'permission-denied',
      `${head}${rbacHint(requesterIn(said), settings.namespace ?? 'NAMESPACE', sa)}`,
    );
  }
  if (/Unauthorized|You must be logged in|provide credentials/.test(said)) {
    return new TokenExplorerError(
      'bad-credentials',
      `${head}The cluster rejected kubectl's credentials: they have expired or were revoked. Log in again (e.g. your cloud's "get-credentials" command), then try again.`,
    );
  }
  if (/context was not found for specified context|context "[^"]+" does not exist/.test(said)) {
    return new TokenExplorerError(
      'bad-config',
      `${head}The context "${settings.context ?? ''}" is not in the kubeconfig; see \`kubectl config get-contexts\`.`,
    );
  }
  if (/x509:|tls:/.test(said)) {
    return new TokenExplorerError(
      'network',
      `${head}kubectl could not connect securely: the cluster's certificate is not signed by the CA in your kubeconfig, or is not issued for the server's name. Fetch a fresh kubeconfig for the cluster.`,
    );
  }
  if (/connection refused|no such host|i\/o timeout|Unable to connect to the server/.test(said)) {
    return new TokenExplorerError(
      'network',
      `${head}kubectl could not reach the cluster; check that it is running and reachable (VPN, firewall).`,
    );
  }
  if (/is invalid/.test(said)) {
    return new TokenExplorerError('bad-config', `${head}The cluster refused the token request.`);
  }
  return new TokenExplorerError(
    'cli-failed',
    `${head}Run the same command in a terminal to see the whole output.`,
  );
}

async function mintWithKubectl(
  settings: KubernetesSettings,
  expirationSeconds: number,
  request: MintRequest,
  context: ProviderContext,
): Promise<MintedToken> {
  const kubectl = settings.kubectlPath ?? context.kubectlPath ?? 'kubectl';
  const args = kubectlArgs(
    settings,
    request.audience.trim(),
    expirationSeconds,
    context.env.homeDir,
  );
  const result = await runCli(
    context.runner,
    kubectl,
    args,
    { timeoutMs: context.timeoutMs, signal: request.signal },
    {
      notFound: () =>
        `kubectl was not found at ${kubectl}. Install kubectl, set tokenExplorer.kubectl.path to its full path, or use the API method (settings "method": "api").`,
      timeout: (seconds) =>
        `kubectl ${args.join(' ')} did not finish within ${seconds} s and was stopped. Run it in a terminal: the cluster may be unreachable, or a login plugin may be waiting for you.`,
    },
  );
  if (result.exitCode !== 0) throw kubectlFailure(result, args, settings);
  const token = result.stdout.trim();
  if (!token) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `kubectl ${args.join(' ')} printed nothing on standard output.`,
    );
  }
  return mintedToken(token, undefined, `kubectl ${args.slice(0, 3).join(' ')}`);
}

/**
 * Mints a service-account token for the request's audience with the Kubernetes TokenRequest API,
 * either directly (kubeconfig credentials, the cluster's CA honoured) or through
 * `kubectl create token`.
 */
export async function mintKubernetesToken(
  account: Account,
  request: MintRequest,
  context: ProviderContext,
): Promise<MintedToken> {
  const settings = readKubernetesSettings(account);
  const expirationSeconds = expirationFor(settings, account, context);
  return settings.method === 'kubectl'
    ? mintWithKubectl(settings, expirationSeconds, request, context)
    : mintWithApi(settings, expirationSeconds, request, context);
}

/** `kubernetes`: bound service-account tokens from the TokenRequest API (or kubectl). */
export const kubernetesProvider: Provider = {
  kind: 'kubernetes',
  label: 'Kubernetes: service-account token',
  mint: mintKubernetesToken,
  validate: (account) => settingProblems(account.settings),
  describe: (account) => {
    const s = account.settings;
    const sa = optionalString(s.serviceAccount) ?? '(no service account)';
    const ns = optionalString(s.namespace);
    const where = optionalString(s.context) ?? 'current context';
    return `${ns ? `${ns}/` : ''}${sa} (${where}${s.method === 'kubectl' ? ', via kubectl' : ''})`;
  },
};
