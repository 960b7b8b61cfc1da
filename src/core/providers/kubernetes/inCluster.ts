import { TokenExplorerError, asClause, errorMessage } from '../../errors';
import { peekToken } from '../../jwt/peek';
import type { Environment } from '../../ports';
import type { ProviderContext } from '../provider';
import type { KubeCredentials, ResolvedKubeContext } from './kubeconfig';

/** Where Kubernetes mounts a pod's service-account token, CA and namespace. */
export const IN_CLUSTER_ROOT = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * What happens when the pod has no token (client-go then says "not in a cluster"): the pod or its
 * service account sets `automountServiceAccountToken: false`.
 */
const NO_TOKEN_REMEDY =
  'Set "automountServiceAccountToken: true" on the pod (or its service account) and restart it, or use a kubeconfig instead.';

/** Why a pod (the variables set) cannot use its in-cluster config: no token mounted. */
export function noPodTokenMessage(context: ProviderContext): string {
  return `This editor runs in a Kubernetes pod (KUBERNETES_SERVICE_HOST is set), but the pod has no service-account token at ${rootOf(context)}/token, so the in-cluster config cannot be used. ${NO_TOKEN_REMEDY}`;
}

/** The pod this editor runs in, as Detect Credentials and the wizard show it. */
export interface PodServiceAccount {
  /** `https://` + KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT. */
  readonly server: string;
  /** Where the token, CA and namespace are mounted. */
  readonly root: string;
  /** The namespace kubectl would use in the pod, and where it came from. */
  readonly namespace: string;
  readonly namespaceFrom: 'POD_NAMESPACE' | 'namespace file' | 'default';
  /** The pod's own service account, from its token's `sub` (system:serviceaccount:NS:NAME). */
  readonly serviceAccount?: string;
}

/**
 * The API server of the pod this editor runs in, from KUBERNETES_SERVICE_HOST and _PORT as
 * client-go `rest.InClusterConfig` joins them (kubernetes/client-go rest/config.go:
 * `"https://" + net.JoinHostPort(host, port)`, IPv6 in brackets); undefined when either is unset
 * (client-go's ErrNotInCluster).
 */
export function inClusterServer(env: Environment): string | undefined {
  const host = env.get('KUBERNETES_SERVICE_HOST')?.trim();
  const port = env.get('KUBERNETES_SERVICE_PORT')?.trim();
  if (!host || !port) return undefined;
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function rootOf(context: ProviderContext): string {
  return context.inClusterRoot ?? IN_CLUSTER_ROOT;
}

/** A file of the mount; undefined when missing, or (for optional files) when unreadable. */
async function read(
  context: ProviderContext,
  path: string,
  required: boolean,
): Promise<string | undefined> {
  try {
    return await context.files.readText(path);
  } catch (error) {
    if (!required) {
      context.logger.warn(
        `Kubernetes in-cluster: ${path} could not be read (${asClause(errorMessage(error))}).`,
      );
      return undefined;
    }
    throw new TokenExplorerError(
      'bad-config',
      `The pod's service-account token ${path} could not be read: ${asClause(errorMessage(error))}. Check the file's permissions for the user VS Code runs as (the pod's securityContext "fsGroup" makes the projected token readable), or use a kubeconfig instead.`,
      { cause: error },
    );
  }
}

/**
 * The pod's namespace as kubectl finds it in a pod (client-go tools/clientcmd client_config.go
 * `inClusterClientConfig.Namespace`): POD_NAMESPACE (the downward API), else the mounted
 * `namespace` file, else `default`.
 */
async function podNamespace(
  context: ProviderContext,
  root: string,
): Promise<Pick<PodServiceAccount, 'namespace' | 'namespaceFrom'>> {
  const variable = context.env.get('POD_NAMESPACE')?.trim();
  if (variable) return { namespace: variable, namespaceFrom: 'POD_NAMESPACE' };
  const file = (await read(context, `${root}/namespace`, false))?.trim();
  if (file) return { namespace: file, namespaceFrom: 'namespace file' };
  return { namespace: 'default', namespaceFrom: 'default' };
}

/** The service account a pod token was issued to (`sub` system:serviceaccount:NS:NAME). */
function tokenServiceAccount(token: string): string | undefined {
  try {
    const sub = peekToken(token).payload?.sub;
    return typeof sub === 'string'
      ? /^system:serviceaccount:[^:]+:([^:]+)$/.exec(sub)?.[1]
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pod's token, or undefined when there is none (a missing file). Whether in-cluster is
 * possible at all is client-go's `inClusterClientConfig.Possible`: both variables set and the
 * token file present.
 */
async function podToken(context: ProviderContext, root: string): Promise<string | undefined> {
  const token = (await read(context, `${root}/token`, true))?.trim();
  return token || undefined;
}

/**
 * The pod this editor runs in, for Detect Credentials and the wizard; undefined when not in a pod
 * or when the pod has no service-account token (as client-go's `Possible` says: in-cluster
 * config is then not an option).
 * @throws TokenExplorerError `bad-config` when the token exists but cannot be read.
 */
export async function findPodServiceAccount(
  context: ProviderContext,
): Promise<PodServiceAccount | undefined> {
  const server = inClusterServer(context.env);
  if (!server) return undefined;
  const root = rootOf(context);
  const token = await podToken(context, root);
  if (!token) return undefined;
  const serviceAccount = tokenServiceAccount(token);
  return {
    server,
    root,
    ...(await podNamespace(context, root)),
    ...(serviceAccount ? { serviceAccount } : {}),
  };
}

/**
 * The cluster and credentials of the pod this editor runs in, as client-go `rest.InClusterConfig`
 * builds them (kubernetes/client-go rest/config.go): the server from {@link inClusterServer}, the
 * bearer token from `token` and the CA from `ca.crt` under the mount (client-go goes on without
 * the CA when it cannot be read: the system's CAs are then used); the namespace as kubectl reads
 * it in a pod (POD_NAMESPACE, the `namespace` file, `default`). Undefined when the variables are
 * not set (not in a pod). `chosen`: the account asks for in-cluster itself (its "inCluster"
 * setting), so a missing token is fixed by another method rather than by picking a kubeconfig.
 * @throws TokenExplorerError `bad-config` when in a pod but the token is missing or unreadable.
 */
export async function inClusterContext(
  context: ProviderContext,
  options: { readonly chosen: boolean },
): Promise<{ resolved: ResolvedKubeContext; credentials: KubeCredentials } | undefined> {
  const server = inClusterServer(context.env);
  if (!server) return undefined;
  const root = rootOf(context);
  const token = await podToken(context, root);
  if (!token) {
    throw new TokenExplorerError('bad-config', noPodTokenMessage(context), {
      remedies: [options.chosen ? { kind: 'switchMethod' } : { kind: 'pickKubeconfig' }],
    });
  }
  const ca = await read(context, `${root}/ca.crt`, false);
  const { namespace } = await podNamespace(context, root);
  return {
    resolved: {
      name: 'in-cluster',
      namespace,
      cluster: { name: 'in-cluster', source: root, server, insecureSkipTlsVerify: false },
      user: { name: "the pod's service account", source: root },
    },
    credentials: {
      server,
      ...(ca && /-----BEGIN CERTIFICATE-----/.test(ca) ? { ca } : {}),
      insecureSkipTlsVerify: false,
      token,
    },
  };
}
