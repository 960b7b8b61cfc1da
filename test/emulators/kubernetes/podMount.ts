// A pod's view of the Kubernetes API emulator: the service-account mount and the variables the
// kubelet gives a container, for in-cluster tests (unit and extension host).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeApiServer } from './apiServer';

/** A file of the mount (kubelet's `kube-api-access-*` projected volume). */
export type PodMountFile = 'token' | 'ca.crt' | 'namespace';

/** The variables the kubelet sets for the `kubernetes` service in every container. */
export interface PodVariables {
  readonly KUBERNETES_SERVICE_HOST: string;
  readonly KUBERNETES_SERVICE_PORT: string;
}

/**
 * Writes into `dir` what a pod running as NAMESPACE/SERVICE_ACCOUNT sees under
 * /var/run/secrets/kubernetes.io/serviceaccount (`token` from the emulator, `ca.crt`,
 * `namespace`; `without` leaves files out) and returns the variables pointing at `api`.
 */
export async function writePodMount(
  api: KubeApiServer,
  dir: string,
  namespace: string,
  serviceAccount: string,
  without: readonly PodMountFile[] = [],
): Promise<PodVariables> {
  await mkdir(dir, { recursive: true });
  const files: Record<PodMountFile, string> = {
    token: await api.podToken(namespace, serviceAccount),
    'ca.crt': api.caPem,
    namespace,
  };
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    await (without.includes(name as PodMountFile)
      ? rm(path, { force: true })
      : writeFile(path, text, { mode: 0o600 }));
  }
  const url = new URL(api.url);
  return { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port };
}
