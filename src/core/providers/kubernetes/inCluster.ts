import { TokenExplorerError, errorMessage, asClause } from '../../errors';
import type { ProviderContext } from '../provider';
import type { KubeCredentials, ResolvedKubeContext } from './kubeconfig';

/** Where Kubernetes mounts a pod's service-account token, CA and namespace. */
export const IN_CLUSTER_ROOT = '/var/run/secrets/kubernetes.io/serviceaccount';

async function read(context: ProviderContext, path: string): Promise<string | undefined> {
  try {
    return await context.files.readText(path);
  } catch (error) {
    throw new TokenExplorerError(
      'bad-config',
      `The pod's service-account file ${path} could not be read: ${asClause(errorMessage(error))}.`,
      { cause: error },
    );
  }
}

/**
 * The cluster and credentials of the pod this editor runs in, as client-go `rest.InClusterConfig`
 * builds them (kubernetes/client-go rest/config.go): `https://` + KUBERNETES_SERVICE_HOST and
 * _PORT (joined as net.JoinHostPort does, IPv6 in brackets), the bearer token from `token` and
 * the CA from `ca.crt` under {@link IN_CLUSTER_ROOT} (client-go goes on without the CA when it
 * cannot be read); the namespace from `namespace` there, as kubectl's in-cluster loader reads it.
 * Undefined when the variables are not set (not in a pod).
 * @throws TokenExplorerError `bad-config` when in a pod but the token is missing.
 */
export async function inClusterContext(
  context: ProviderContext,
): Promise<{ resolved: ResolvedKubeContext; credentials: KubeCredentials } | undefined> {
  const host = context.env.get('KUBERNETES_SERVICE_HOST')?.trim();
  const port = context.env.get('KUBERNETES_SERVICE_PORT')?.trim();
  if (!host || !port) return undefined;
  const root = context.inClusterRoot ?? IN_CLUSTER_ROOT;
  const token = (await read(context, `${root}/token`))?.trim();
  if (!token) {
    throw new TokenExplorerError(
      'bad-config',
      `This editor runs in a Kubernetes pod (KUBERNETES_SERVICE_HOST is set), but ${root}/token does not exist: the pod has no service-account token mounted (automountServiceAccountToken: false?). Mount one, or give the account a kubeconfig.`,
    );
  }
  const ca = await read(context, `${root}/ca.crt`);
  const namespace = (await read(context, `${root}/namespace`))?.trim() || 'default';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
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
