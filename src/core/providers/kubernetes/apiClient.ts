import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TokenExplorerError, errorMessage } from '../../errors';
import type { KubeCredentials } from './kubeconfig';

/** A TokenRequest answer is a few kilobytes; more means this is not the API server. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Where the cluster comes from, for messages. */
export interface ClusterOrigin {
  readonly context: string;
  readonly cluster: string;
  readonly source: string;
  readonly user?: string;
  /** The pod's own service account and cluster (client-go's in-cluster config). */
  readonly inCluster?: boolean;
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
export function connectionProblem(
  error: unknown,
  url: URL,
  credentials: KubeCredentials,
  origin: ClusterOrigin,
): string {
  const code = (error as { code?: unknown }).code;
  const cluster = `cluster "${origin.cluster}" in ${origin.source}`;
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.has(code) && origin.inCluster) {
    // The kubelet mounts the cluster's CA beside the token (client-go reads it as rootCAFile).
    return credentials.ca
      ? `the API server's certificate is not signed by the pod's CA ${origin.source}/ca.crt (${code}): KUBERNETES_SERVICE_HOST may point at something other than this cluster's API server`
      : `the API server's certificate is not signed by a CA this computer trusts, and the pod has no readable ${origin.source}/ca.crt (${code}). Mount the service-account volume with its ca.crt (the kube-api-access projected volume), or use a kubeconfig`;
  }
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

/** A connection to the API server that failed, as a `network` error naming the URL. */
export function connectionFailure(
  error: unknown,
  during: string,
  url: URL,
  credentials: KubeCredentials,
  origin: ClusterOrigin,
): TokenExplorerError {
  const code = String((error as { code?: unknown }).code);
  const tls = UNTRUSTED_CERTIFICATE.has(code) || /^(ERR_TLS_|CERT_)/.test(code);
  return new TokenExplorerError(
    'network',
    `${tls ? 'Could not connect securely to' : during} ${url.origin}${url.pathname}: ${connectionProblem(error, url, credentials, origin)}.`,
    { cause: error },
  );
}

/** TLS material Node cannot use (a key that does not belong to its certificate, bad PEM). */
export function unusableClientCertificate(
  error: unknown,
  origin: ClusterOrigin,
): TokenExplorerError {
  return new TokenExplorerError(
    'bad-config',
    `The client certificate or key of user "${origin.user ?? ''}" (in ${origin.source}) cannot be used: ${(error as { code?: string }).code ?? errorMessage(error)}. Check that "client-key" belongs to "client-certificate".`,
    { cause: error },
  );
}

/** Time limit and cancellation of one request. */
export interface KubeRequestOptions {
  /** What is left of the time limit for this attempt, in milliseconds. */
  readonly timeoutMs: number;
  /** The configured limit, for messages (retries share it); default `timeoutMs`. */
  readonly configuredTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** An HTTP answer of the API server. */
export interface KubeAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly text: string;
}

/** Node's response headers as a fetch `Headers` (repeated ones joined, as fetch does). */
export function answerHeaders(
  raw: Readonly<Record<string, string | string[] | undefined>>,
): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

/**
 * One request to the Kubernetes API with the cluster's CA, client certificate and bearer token, a
 * hard timeout and cancellation; resolves with the status and body text of any HTTP answer. Node's `fetch` cannot take a CA or client certificate
 * per request, so this uses `node:https`. Failures are TokenExplorerErrors naming the URL (never a
 * header or the credentials).
 */
export function httpsJson(
  method: 'GET' | 'POST',
  url: URL,
  body: string | undefined,
  credentials: KubeCredentials,
  origin: ClusterOrigin,
  options: KubeRequestOptions,
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
              `${shown} did not answer within ${(options.configuredTimeoutMs ?? options.timeoutMs) / 1000} s. Check that the cluster is reachable (VPN, firewall), then try again.`,
              { cause: error },
            ),
          );
        } else {
          reject(connectionFailure(error, during, url, credentials, origin));
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
            headers: answerHeaders(res.headers),
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
      finish(() => reject(unusableClientCertificate(error, origin)));
      return;
    }
    req.on('error', (error) => failed(error, 'Could not reach'));
    req.end(body);
  });
}
