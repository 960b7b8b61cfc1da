import { TokenExplorerError } from '../../errors';
import type { Account, MintRequest, MintedToken, Provider, ProviderContext } from '../provider';
import { optionalString } from '../settings';
import { KUBERNETES_RETRY, withRetries } from '../../retries';
import { httpsJson } from './apiClient';
import { clusterProxyRoute, kubeRequestViaProxy } from './clusterProxy';
import type { ClusterOrigin } from './apiClient';
import { statusFailure } from './apiErrors';
import { ExecCredentialCache } from './execCredential';
import { inClusterContext, inClusterServer } from './inCluster';
import type { KubeCredentials, ResolvedKubeContext } from './kubeconfig';
import { loadKubeconfig } from './kubeconfig';
import { readClusterCredentials } from './clusterCredentials';
import { resolveContext } from './resolveContext';
import { mintWithKubectl } from './kubectlMethod';
import { expirationFor, readKubernetesSettings, settingProblems } from './kubernetesSettings';
import type { KubernetesSettings } from './kubernetesSettings';
import { mintedToken } from './mintedToken';

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
    {
      where: `user "${resolved.user?.name ?? ''}" (in ${cluster.source})`,
      contextName: resolved.name,
    },
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

/**
 * The cluster and credentials an account mints with. An account with "inCluster" uses the pod's
 * own (a kubeconfig that appears later does not move it elsewhere). Otherwise kubectl's order
 * (client-go tools/clientcmd merged_client_builder.go `DeferredLoadingClientConfig.ClientConfig`):
 * a kubeconfig that names a cluster wins; only an empty one (no file exists, missing KUBECONFIG
 * files being skipped as loader.go does, or none sets a current context) falls back to the pod's
 * in-cluster config, when no "kubeconfig" or "context" is set.
 */
async function clusterFor(
  settings: KubernetesSettings,
  context: ProviderContext,
): Promise<{ resolved: ResolvedKubeContext; credentials: KubeCredentials; inCluster: boolean }> {
  if (settings.inCluster) {
    const pod = await inClusterContext(context, { chosen: true });
    if (!pod) {
      throw new TokenExplorerError(
        'bad-config',
        'This account mints with the pod\'s own service account ("inCluster": true), but VS Code is not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set. Use it from inside the pod, or switch the account to a kubeconfig context.',
        { remedies: [{ kind: 'switchMethod' }] },
      );
    }
    return { ...pod, inCluster: true };
  }
  const config = await loadKubeconfig(
    context,
    settings.kubeconfig
      ? { path: settings.kubeconfig }
      : { allowMissingDefault: true, allowMissingVariable: true },
  );
  const empty = config.files.length === 0 || config.currentContext === undefined;
  if (empty && !settings.kubeconfig && !settings.context) {
    const pod = await inClusterContext(context, { chosen: false });
    if (pod) return { ...pod, inCluster: true };
  }
  // No kubeconfig and no pod: the missing kubeconfig explained.
  if (config.files.length === 0) await loadKubeconfig(context);
  const resolved = resolveContext(config, settings.context);
  return {
    resolved,
    credentials: await readClusterCredentials(context, resolved),
    inCluster: false,
  };
}

async function mintWithApi(
  settings: KubernetesSettings,
  expirationSeconds: number,
  request: MintRequest,
  context: ProviderContext,
): Promise<MintedToken> {
  const { resolved, credentials: fromKubeconfig, inCluster } = await clusterFor(settings, context);
  let credentials = await withExecCredentials(fromKubeconfig, resolved, context, request.signal);
  const origin: ClusterOrigin = {
    context: resolved.name,
    cluster: resolved.cluster.name,
    source: resolved.cluster.source,
    ...(resolved.user ? { user: resolved.user.name } : {}),
    ...(inCluster ? { inCluster } : {}),
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
  const route = clusterProxyRoute(resolved.cluster.proxyUrl, url, origin, context.outboundProxy);
  // Transient failures are retried as client-go does, all within the configured timeout.
  const deadline = Date.now() + context.timeoutMs;
  const signal = request.signal ?? new AbortController().signal;
  const once = () => {
    const options = {
      timeoutMs: Math.max(1, deadline - Date.now()),
      configuredTimeoutMs: context.timeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
    };
    return route
      ? kubeRequestViaProxy('POST', url, body, credentials, origin, route, options)
      : httpsJson('POST', url, body, credentials, origin, options);
  };
  const send = () => withRetries(once, KUBERNETES_RETRY, signal, deadline);
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
  describe: (account, env) => {
    const s = account.settings;
    const sa = optionalString(s.serviceAccount) ?? '(no service account)';
    const ns = optionalString(s.namespace);
    // host:port, not the URL: a hover would turn a URL before ")" into a link with a stray "\".
    const server = env && inClusterServer(env)?.replace(/^https:\/\//, '');
    const where =
      s.inCluster === true
        ? `in-cluster${server ? ` ${server}` : ''}`
        : (optionalString(s.context) ?? 'current context');
    return `${ns ? `${ns}/` : ''}${sa} (${where}${s.method === 'kubectl' ? ', via kubectl' : ''})`;
  },
};
