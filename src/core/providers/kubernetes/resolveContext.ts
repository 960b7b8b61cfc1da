import { isRecord } from '../../guards';
import type { Remedy } from '../../remedies';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readExecConfig } from './execCredential';
import type {
  KubeCluster,
  Kubeconfig,
  KubeconfigEntry,
  KubeUser,
  Raw,
  ResolvedKubeContext,
} from './kubeconfig';
import { authOf, badConfig } from './kubeconfig';

export const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
export const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** What to say when a field holds a shape Token Explorer does not read but kubectl may. */
const TRY_KUBECTL =
  'If kubectl works with this kubeconfig, set "method": "kubectl" for the account: kubectl reads it with its own loader.';

/** A YAML value's shape, for messages (never its content). */
function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/** An optional string field; `what` names it in the error when it has another type. */
function stringField(entry: KubeconfigEntry, field: string, what: string): string | undefined {
  const value = entry.value[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw badConfig(
      `"${field}" of ${what} in the kubeconfig ${entry.source} is ${shapeOf(value)}, not text. ${TRY_KUBECTL}`,
    );
  }
  return value;
}

/** A path field, resolved against the folder of the kubeconfig that holds it (as kubectl does). */
function pathField(entry: KubeconfigEntry, field: string, what: string): string | undefined {
  const value = stringField(entry, field, what);
  if (value === undefined) return undefined;
  return isAbsolute(value) ? value : resolve(dirname(entry.source), value);
}

/**
 * A `*-data` field: base64 of PEM text, or a YAML `!!binary` block (which the YAML parser has
 * already decoded to bytes; kubectl accepts it, as its loader decodes YAML to JSON first). Only
 * the field is named on failure, never its content.
 */
function pemDataField(
  entry: KubeconfigEntry,
  field: string,
  what: string,
  marker: RegExp,
): string | undefined {
  const value = entry.value[field];
  if (value === undefined || value === null || value === '') return undefined;
  const bytes =
    typeof value === 'string'
      ? Buffer.from(value.replace(/\s+/g, ''), 'base64')
      : value instanceof Uint8Array
        ? Buffer.from(value)
        : undefined;
  const kind = marker === CERTIFICATE ? 'certificate' : 'private key';
  if (!bytes) {
    throw badConfig(
      `"${field}" of ${what} in the kubeconfig ${entry.source} is ${shapeOf(value)}, not base64 of a PEM ${kind}. ${TRY_KUBECTL}`,
    );
  }
  const pem = bytes.toString('utf8');
  if (!marker.test(pem)) {
    throw badConfig(
      `"${field}" of ${what} in the kubeconfig ${entry.source} is not base64 of a PEM ${kind}${typeof value === 'string' ? '' : ' (in its !!binary block)'}. ${TRY_KUBECTL}`,
    );
  }
  return pem;
}

function resolveCluster(entry: KubeconfigEntry): KubeCluster {
  const what = `cluster "${entry.name}"`;
  const server = stringField(entry, 'server', what);
  if (!server) throw badConfig(`${what} in the kubeconfig ${entry.source} has no "server".`);
  if (!URL.canParse(server) || !/^https?:$/.test(new URL(server).protocol)) {
    throw badConfig(
      `"server" of ${what} in the kubeconfig ${entry.source} is not an https:// (or http://) URL: ${server}`,
    );
  }
  const insecure = entry.value['insecure-skip-tls-verify'];
  if (insecure !== undefined && insecure !== null && typeof insecure !== 'boolean') {
    throw badConfig(
      `"insecure-skip-tls-verify" of ${what} in the kubeconfig ${entry.source} must be true or false.`,
    );
  }
  const certificateAuthorityData = pemDataField(
    entry,
    'certificate-authority-data',
    what,
    CERTIFICATE,
  );
  const certificateAuthority = pathField(entry, 'certificate-authority', what);
  if (insecure === true && (certificateAuthorityData || certificateAuthority)) {
    // kubectl refuses this combination too.
    throw badConfig(
      `${what} in the kubeconfig ${entry.source} sets both a certificate authority and "insecure-skip-tls-verify: true"; kubectl does not allow that either. Remove one of them.`,
    );
  }
  const tlsServerName = stringField(entry, 'tls-server-name', what);
  const proxyUrl = stringField(entry, 'proxy-url', what);
  // client-go clientcmd: `extensions` is a list of {name, extension}; the exec plugin gets the
  // one named client.authentication.k8s.io/exec as spec.cluster.config.
  const extensions = entry.value.extensions;
  const execExtension = Array.isArray(extensions)
    ? (extensions as Raw[]).find((e) => e?.name === 'client.authentication.k8s.io/exec')?.extension
    : undefined;
  return {
    name: entry.name,
    source: entry.source,
    server,
    ...(proxyUrl ? { proxyUrl } : {}),
    ...(execExtension !== undefined ? { execExtension } : {}),
    ...(certificateAuthorityData ? { certificateAuthorityData } : {}),
    ...(certificateAuthority ? { certificateAuthority } : {}),
    insecureSkipTlsVerify: insecure === true,
    ...(tlsServerName ? { tlsServerName } : {}),
  };
}

function resolveUser(entry: KubeconfigEntry): KubeUser {
  const what = `user "${entry.name}"`;
  const auth = authOf(entry.value);
  const base = { name: entry.name, source: entry.source };
  if (auth === 'exec') {
    const exec = readExecConfig(entry.value.exec, `${what} in ${entry.source}`, entry.source);
    return { ...base, exec };
  }
  if (auth === 'auth-provider') {
    // The legacy gcp/oidc/azure providers cache their token in the kubeconfig (client-go
    // plugin/pkg/client/auth: gcp `access-token` + `expiry`, oidc `id-token`); use it while valid.
    const provider = entry.value['auth-provider'] as Raw | undefined;
    const config = isRecord(provider?.config) ? provider.config : {};
    const token = provider?.name === 'oidc' ? config['id-token'] : config['access-token'];
    const expiry = config.expiry;
    if (typeof token !== 'string' || token === '') return { ...base, unsupported: auth };
    return { ...base, token, ...(typeof expiry === 'string' ? { tokenExpiry: expiry } : {}) };
  }
  if (auth === 'basic') return { ...base, unsupported: auth };
  const token = stringField(entry, 'token', what);
  const tokenFile = pathField(entry, 'tokenFile', what);
  const clientCertificateData = pemDataField(entry, 'client-certificate-data', what, CERTIFICATE);
  const clientCertificate = pathField(entry, 'client-certificate', what);
  const clientKeyData = pemDataField(entry, 'client-key-data', what, PRIVATE_KEY);
  const clientKey = pathField(entry, 'client-key', what);
  const hasCert = Boolean(clientCertificateData || clientCertificate);
  const hasKey = Boolean(clientKeyData || clientKey);
  if (hasCert !== hasKey) {
    throw badConfig(
      `${what} in the kubeconfig ${entry.source} has a client ${hasCert ? 'certificate but no "client-key" or "client-key-data"' : 'key but no "client-certificate" or "client-certificate-data"'}.`,
    );
  }
  return {
    ...base,
    ...(token ? { token } : {}),
    ...(tokenFile ? { tokenFile } : {}),
    ...(clientCertificateData ? { clientCertificateData } : {}),
    ...(clientCertificate ? { clientCertificate } : {}),
    ...(clientKeyData ? { clientKeyData } : {}),
    ...(clientKey ? { clientKey } : {}),
  };
}

/**
 * Looks up a context (by name, else `current-context`) with its cluster and user.
 * @throws TokenExplorerError `bad-config` naming the file and the missing or broken field.
 */
export function resolveContext(config: Kubeconfig, name?: string): ResolvedKubeContext {
  const files = config.files.join(', ');
  // The context is chosen in the account's settings and defined in the (first) file.
  const fixes: Remedy[] = [
    { kind: 'editAccountSettings' },
    ...config.files.slice(0, 1).map((path) => ({ kind: 'openFile' as const, path })),
  ];
  const contextName = name || config.currentContext;
  if (!contextName) {
    throw badConfig(
      `The kubeconfig (${files}) has no "current-context": choose a context in the account settings, or run \`kubectl config use-context NAME\`.`,
      undefined,
      fixes,
    );
  }
  const entry = config.contexts.get(contextName);
  if (!entry) {
    const known = [...config.contexts.keys()];
    throw badConfig(
      `The context "${contextName}" is not in the kubeconfig (${files}). ${known.length ? `Contexts there: ${known.join(', ')}.` : 'It defines no contexts.'}`,
      undefined,
      fixes,
    );
  }
  const what = `context "${contextName}"`;
  const clusterName = stringField(entry, 'cluster', what);
  if (!clusterName) {
    throw badConfig(
      `${what} in the kubeconfig ${entry.source} has no "cluster".`,
      undefined,
      fixes,
    );
  }
  const clusterEntry = config.clusters.get(clusterName);
  if (!clusterEntry) {
    throw badConfig(
      `${what} (in ${entry.source}) refers to the cluster "${clusterName}", which is not in the kubeconfig (${files}).`,
      undefined,
      fixes,
    );
  }
  const userName = stringField(entry, 'user', what);
  const userEntry = userName ? config.users.get(userName) : undefined;
  if (userName && !userEntry) {
    throw badConfig(
      `${what} (in ${entry.source}) refers to the user "${userName}", which is not in the kubeconfig (${files}).`,
      undefined,
      fixes,
    );
  }
  return {
    name: contextName,
    namespace: stringField(entry, 'namespace', what) ?? 'default',
    cluster: resolveCluster(clusterEntry),
    ...(userEntry ? { user: resolveUser(userEntry) } : {}),
  };
}
