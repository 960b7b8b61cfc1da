import { createSecureContext } from 'node:tls';
import { TokenExplorerError } from '../../errors';
import type { OutboundProxy, ProxyRoute } from '../../net/outboundProxy';
import { OutboundProxyError, parseProxyUrl, proxyFailure, proxyFor } from '../../net/outboundProxy';
import { proxyAgent } from '../../net/proxiedFetch';
import type { ClusterOrigin, KubeAnswer, KubeRequestOptions } from './apiClient';
import { answerHeaders, connectionFailure, unusableClientCertificate } from './apiClient';
import type { KubeCredentials } from './kubeconfig';

/** A TokenRequest answer is a few kilobytes; more means this is not the API server. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * The proxy a request to the API server takes, as client-go decides it: the cluster's
 * `proxy-url` for every request, loopback servers included (`tools/clientcmd/client_config.go`
 * sets `rest.Config.Proxy = http.ProxyURL(u)`; schemes http, https and socks5,
 * `tools/clientcmd/helpers.go` `parseProxyURL`); without it, the outbound proxy (client-go's
 * `http.ProxyFromEnvironment`: HTTPS_PROXY and NO_PROXY; here also VS Code's http.proxy, which
 * the rest of the extension follows). The cluster's certificate is always checked as the
 * kubeconfig says, whatever http.proxyStrictSSL says.
 */
export function clusterProxyRoute(
  proxyUrl: string | undefined,
  server: URL,
  origin: ClusterOrigin,
  outbound: OutboundProxy | undefined,
): ProxyRoute | undefined {
  if (proxyUrl) {
    const where = `"proxy-url" of cluster "${origin.cluster}" in ${origin.source}`;
    let proxy: URL;
    try {
      proxy = parseProxyUrl(proxyUrl, where);
    } catch (error) {
      throw new TokenExplorerError(
        'bad-config',
        `The ${where} cannot be used: ${(error as Error).message} (client-go accepts http, https and socks5).`,
        { cause: error },
      );
    }
    if (proxy.protocol === 'socks:') {
      throw new TokenExplorerError(
        'bad-config',
        `The ${where} has the scheme "socks"; kubectl accepts http, https and socks5 (write socks5://).`,
      );
    }
    return {
      proxy,
      config: {
        noProxy: [],
        strictSSL: true,
        origin: where,
        authorizationAdvice: `Put the proxy's user name and password into "proxy-url" (http://user:password@host:port), as kubectl takes them`,
      },
    };
  }
  if (!outbound) return undefined;
  return proxyFor(server, { ...outbound, strictSSL: true });
}

/**
 * One request to the Kubernetes API through a proxy (an undici ProxyAgent: CONNECT for https,
 * SOCKS5 for socks5), with the cluster's CA, client certificate and bearer token, a hard timeout
 * and cancellation; resolves with the status, headers and body text of any HTTP answer. A failure
 * of the proxy names the proxy and where it is configured.
 */
export async function kubeRequestViaProxy(
  method: 'GET' | 'POST',
  url: URL,
  body: string | undefined,
  credentials: KubeCredentials,
  origin: ClusterOrigin,
  route: ProxyRoute,
  options: KubeRequestOptions,
): Promise<KubeAnswer> {
  const shown = `${url.origin}${url.pathname}`;
  const tls = {
    ...(credentials.ca ? { ca: credentials.ca } : {}),
    ...(credentials.clientCertificate ? { cert: credentials.clientCertificate } : {}),
    ...(credentials.clientKey ? { key: credentials.clientKey } : {}),
    ...(credentials.tlsServerName ? { servername: credentials.tlsServerName } : {}),
    rejectUnauthorized: !credentials.insecureSkipTlsVerify,
  };
  try {
    // node:https checks this when a request is made; undici only once connected.
    createSecureContext(tls);
  } catch (error) {
    throw unusableClientCertificate(error, origin);
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  const agent = await proxyAgent(route, tls);
  try {
    const answer = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of answer.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_ANSWER_BYTES) {
        answer.body.destroy();
        throw new TokenExplorerError(
          'bad-response',
          `${shown} answered with more than ${MAX_ANSWER_BYTES / 1024} KiB; is "server" the Kubernetes API server?`,
        );
      }
      chunks.push(chunk as Buffer);
    }
    return {
      status: answer.statusCode,
      statusText: '',
      headers: answerHeaders(answer.headers),
      text: Buffer.concat(chunks).toString('utf8'),
    };
  } catch (error) {
    if (error instanceof TokenExplorerError) throw error;
    if (options.signal?.aborted) {
      throw new TokenExplorerError('cancelled', `The request to ${shown} was cancelled.`, {
        cause: error,
      });
    }
    if (timeout.aborted) {
      throw new TokenExplorerError(
        'timeout',
        `${shown} did not answer within ${(options.configuredTimeoutMs ?? options.timeoutMs) / 1000} s through the proxy ${route.proxy.host} (${route.config.origin}). Check that the proxy and the cluster are reachable, then try again.`,
        { cause: error },
      );
    }
    const viaProxy = error instanceof OutboundProxyError ? error : proxyFailure(error, route, url);
    if (viaProxy) {
      throw new TokenExplorerError('network', `Could not reach ${shown}: ${viaProxy.message}.`, {
        cause: viaProxy,
      });
    }
    throw connectionFailure(error, 'Could not reach', url, credentials, origin);
  } finally {
    void agent.destroy().catch(() => undefined);
  }
}
