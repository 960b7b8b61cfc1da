import { dirname, isAbsolute, join, resolve } from 'node:path';
import { TokenExplorerError, errorMessage } from '../../errors';
import type { ProviderContext } from '../provider';
import type { ExecConfig } from './execCredential';
import { readExecConfig } from './execCredential';

/** One named entry of a kubeconfig list (`clusters`, `users`, `contexts`) and its file. */
export interface KubeconfigEntry {
  readonly name: string;
  /** The file the entry was read from (the first file that names it wins). */
  readonly source: string;
  /** The entry's `cluster`, `user` or `context` map, as written. */
  readonly value: Readonly<Record<string, unknown>>;
}

/** The merged kubeconfig files, as kubectl sees them. */
export interface Kubeconfig {
  /** The files that were read, in merge order. */
  readonly files: readonly string[];
  /** From the first file that sets `current-context`. */
  readonly currentContext?: string;
  readonly clusters: ReadonlyMap<string, KubeconfigEntry>;
  readonly users: ReadonlyMap<string, KubeconfigEntry>;
  readonly contexts: ReadonlyMap<string, KubeconfigEntry>;
}

/** A cluster of a resolved context; file paths are absolute. */
export interface KubeCluster {
  readonly name: string;
  readonly source: string;
  readonly server: string;
  /** PEM text, decoded from `certificate-authority-data`. */
  readonly certificateAuthorityData?: string;
  /** `certificate-authority`, resolved against the kubeconfig's folder. */
  readonly certificateAuthority?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  /** `proxy-url`: the proxy for this cluster (client-go uses it over HTTPS_PROXY). */
  readonly proxyUrl?: string;
  /** The `extensions` entry `client.authentication.k8s.io/exec`, given to exec plugins. */
  readonly execExtension?: unknown;
}

/** How a user authenticates that Token Explorer cannot do itself (kubectl can). */
export type UnsupportedAuth = 'exec' | 'auth-provider' | 'basic';

/** A user of a resolved context; file paths are absolute, `*Data` fields hold PEM text. */
export interface KubeUser {
  readonly name: string;
  readonly source: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly clientCertificateData?: string;
  readonly clientCertificate?: string;
  readonly clientKeyData?: string;
  readonly clientKey?: string;
  /** An exec credential plugin that gives the token or client certificate. */
  readonly exec?: ExecConfig;
  /** When the token an `auth-provider` (gcp, oidc, azure) cached expires (its `expiry`). */
  readonly tokenExpiry?: string;
  /** Set when the user logs in through a plugin or with a password. */
  readonly unsupported?: UnsupportedAuth;
}

/** A context with its cluster and user looked up. */
export interface ResolvedKubeContext {
  readonly name: string;
  /** The context's namespace, or `default`. */
  readonly namespace: string;
  readonly cluster: KubeCluster;
  /** Undefined when the context names no user (requests are then anonymous). */
  readonly user?: KubeUser;
}

/** What the account wizard shows for one context. */
export interface KubeContextSummary {
  readonly name: string;
  readonly cluster: string;
  /** The cluster's `server`, when the cluster is defined. */
  readonly server?: string;
  readonly namespace?: string;
  readonly user?: string;
  /** How the user authenticates; `auth-provider` and `basic` may need the kubectl method. */
  readonly auth: 'token' | 'client-certificate' | 'none' | UnsupportedAuth;
  readonly current: boolean;
}

/** Everything needed to call the cluster's API. Holds secrets: never log it. */
export interface KubeCredentials {
  readonly server: string;
  /** PEM of the CA bundle to trust instead of the system's. */
  readonly ca?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly token?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
}

type Raw = Readonly<Record<string, unknown>>;

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badConfig(message: string, cause?: unknown): TokenExplorerError {
  return new TokenExplorerError('bad-config', message, cause === undefined ? {} : { cause });
}

/** `~` or `~/...` expanded against the home folder (the shell would, but no shell runs here). */
export function expandHome(path: string, homeDir: string): string {
  return /^~(?=$|[\\/])/.test(path) ? join(homeDir, path.slice(1)) : path;
}

/** The kubeconfig files to read: an explicit path, else KUBECONFIG, else ~/.kube/config. */
function kubeconfigPaths(
  context: ProviderContext,
  path: string | undefined,
): { paths: string[]; from: 'setting' | 'KUBECONFIG' | 'default' } {
  const home = context.env.homeDir;
  if (path) {
    return { paths: [expandHome(path, home)], from: 'setting' };
  }
  const variable = context.env.get('KUBECONFIG');
  if (variable) {
    const separator = context.env.platform === 'win32' ? ';' : ':';
    const paths = [...new Set(variable.split(separator).filter((p) => p.trim() !== ''))];
    if (paths.length > 0) return { paths, from: 'KUBECONFIG' };
  }
  return { paths: [join(home, '.kube', 'config')], from: 'default' };
}

/** The named entries of one list (`clusters`, `users`, `contexts`) of one file. */
function entries(doc: Raw, list: string, item: string, file: string): KubeconfigEntry[] {
  const value = doc[list];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badConfig(`"${list}" in the kubeconfig ${file} is not a list.`);
  return value.map((entry: unknown, index) => {
    const name = isRecord(entry) ? entry.name : undefined;
    if (typeof name !== 'string' || name === '') {
      throw badConfig(`Entry ${index + 1} of "${list}" in the kubeconfig ${file} has no "name".`);
    }
    const body = (entry as Raw)[item] ?? {};
    if (!isRecord(body)) {
      throw badConfig(
        `"${item}" of ${list} entry "${name}" in the kubeconfig ${file} is not a map.`,
      );
    }
    return { name, source: file, value: body };
  });
}

/**
 * Reads and merges the kubeconfig like kubectl: the `path` option (the account's `kubeconfig`
 * setting, `~` expanded) alone, else every file of `KUBECONFIG` (separated by `:`, or `;` on
 * Windows; files that do not exist are skipped), else `~/.kube/config`. The first file to define a
 * cluster, user or context name (or `current-context`) wins.
 * @throws TokenExplorerError `bad-config` when no file exists, a file is not YAML or not a
 * kubeconfig, or no YAML parser was injected.
 */
export async function loadKubeconfig(
  context: ProviderContext,
  options: {
    readonly path?: string;
    /** Answer an empty kubeconfig (no files) instead of failing when the default one is missing. */
    readonly allowMissingDefault?: boolean;
  } = {},
): Promise<Kubeconfig> {
  const parseYaml = context.parseYaml;
  if (!parseYaml) {
    throw badConfig('Reading a kubeconfig needs the YAML parser, which is not available here.');
  }
  const { paths, from } = kubeconfigPaths(context, options.path);
  const files: string[] = [];
  let currentContext: string | undefined;
  const maps = {
    clusters: new Map<string, KubeconfigEntry>(),
    users: new Map<string, KubeconfigEntry>(),
    contexts: new Map<string, KubeconfigEntry>(),
  };
  for (const file of paths) {
    let text: string | undefined;
    try {
      text = await context.files.readText(file);
    } catch (error) {
      throw badConfig(`The kubeconfig ${file} could not be read: ${errorMessage(error)}.`, error);
    }
    if (text === undefined) continue;
    files.push(file);
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (error) {
      throw badConfig(`The kubeconfig ${file} is not valid YAML: ${errorMessage(error)}`, error);
    }
    if (doc === null || doc === undefined) continue;
    if (!isRecord(doc)) throw badConfig(`The kubeconfig ${file} is not a YAML map.`);
    for (const [list, item] of [
      ['clusters', 'cluster'],
      ['users', 'user'],
      ['contexts', 'context'],
    ] as const) {
      for (const entry of entries(doc, list, item, file)) {
        if (!maps[list].has(entry.name)) maps[list].set(entry.name, entry);
      }
    }
    const current = doc['current-context'];
    if (currentContext === undefined && typeof current === 'string' && current !== '') {
      currentContext = current;
    }
  }
  if (files.length === 0 && from === 'default' && options.allowMissingDefault) {
    return { files, ...maps };
  }
  if (files.length === 0) {
    throw badConfig(
      from === 'setting'
        ? `The kubeconfig ${paths[0]} (account setting "kubeconfig") does not exist.`
        : from === 'KUBECONFIG'
          ? `None of the files in KUBECONFIG exist: ${paths.join(', ')}.`
          : `No kubeconfig: ${paths[0]} does not exist and KUBECONFIG is not set. Set up access to your cluster (e.g. your cloud's "get-credentials" command), or name a kubeconfig in the account settings.`,
    );
  }
  return { files, ...(currentContext ? { currentContext } : {}), ...maps };
}

function authOf(user: Raw | undefined): KubeContextSummary['auth'] {
  if (!user) return 'none';
  if (user.exec !== undefined && user.exec !== null) return 'exec';
  if (user['auth-provider'] !== undefined && user['auth-provider'] !== null) {
    return 'auth-provider';
  }
  if (user['client-certificate-data'] || user['client-certificate']) return 'client-certificate';
  if (user.token || user.tokenFile) return 'token';
  if (user.username || user.password) return 'basic';
  return 'none';
}

/** The contexts of a kubeconfig for the account wizard, sorted by name. */
export function listContexts(config: Kubeconfig): KubeContextSummary[] {
  return [...config.contexts.values()]
    .map(({ name, value }) => {
      const cluster = typeof value.cluster === 'string' ? value.cluster : '';
      const user = typeof value.user === 'string' && value.user !== '' ? value.user : undefined;
      const server = config.clusters.get(cluster)?.value.server;
      const namespace = value.namespace;
      return {
        name,
        cluster,
        ...(typeof server === 'string' ? { server } : {}),
        ...(typeof namespace === 'string' && namespace !== '' ? { namespace } : {}),
        ...(user ? { user } : {}),
        auth: authOf(user ? config.users.get(user)?.value : undefined),
        current: name === config.currentContext,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

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
    return { ...base, exec: readExecConfig(entry.value.exec, `${what} in ${entry.source}`) };
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
  const contextName = name || config.currentContext;
  if (!contextName) {
    throw badConfig(
      `The kubeconfig (${files}) has no "current-context": choose a context in the account settings, or run \`kubectl config use-context NAME\`.`,
    );
  }
  const entry = config.contexts.get(contextName);
  if (!entry) {
    const known = [...config.contexts.keys()];
    throw badConfig(
      `The context "${contextName}" is not in the kubeconfig (${files}). ${known.length ? `Contexts there: ${known.join(', ')}.` : 'It defines no contexts.'}`,
    );
  }
  const what = `context "${contextName}"`;
  const clusterName = stringField(entry, 'cluster', what);
  if (!clusterName) throw badConfig(`${what} in the kubeconfig ${entry.source} has no "cluster".`);
  const clusterEntry = config.clusters.get(clusterName);
  if (!clusterEntry) {
    throw badConfig(
      `${what} (in ${entry.source}) refers to the cluster "${clusterName}", which is not in the kubeconfig (${files}).`,
    );
  }
  const userName = stringField(entry, 'user', what);
  const userEntry = userName ? config.users.get(userName) : undefined;
  if (userName && !userEntry) {
    throw badConfig(
      `${what} (in ${entry.source}) refers to the user "${userName}", which is not in the kubeconfig (${files}).`,
    );
  }
  return {
    name: contextName,
    namespace: stringField(entry, 'namespace', what) ?? 'default',
    cluster: resolveCluster(clusterEntry),
    ...(userEntry ? { user: resolveUser(userEntry) } : {}),
  };
}

const UNSUPPORTED: Record<UnsupportedAuth, string> = {
  exec: 'logs in through an exec credential plugin',
  'auth-provider': 'logs in through an auth-provider plugin that has not cached a token yet',
  basic: 'logs in with a user name and password',
};

/** Reads a file a kubeconfig field names; missing files and missing PEM markers are errors. */
async function readReferenced(
  context: ProviderContext,
  path: string,
  field: string,
  owner: { readonly source: string },
  what: string,
  marker?: RegExp,
): Promise<string> {
  let text: string | undefined;
  try {
    text = await context.files.readText(path);
  } catch (error) {
    throw badConfig(
      `The file ${path} (the "${field}" of ${what} in ${owner.source}) could not be read: ${errorMessage(error)}.`,
      error,
    );
  }
  if (text === undefined) {
    throw badConfig(
      `The file ${path} (the "${field}" of ${what} in ${owner.source}) does not exist.`,
    );
  }
  if (marker && !marker.test(text)) {
    throw badConfig(
      `The file ${path} (the "${field}" of ${what} in ${owner.source}) is not a PEM ${marker === CERTIFICATE ? 'certificate' : 'private key'}.`,
    );
  }
  return text;
}

/**
 * Reads the TLS material and credentials of a resolved context (CA, client certificate and key,
 * token file). Token wins over token file; both may go along with a client certificate.
 * @throws TokenExplorerError `bad-config` when a referenced file is missing or broken, or the user
 * logs in through a plugin (exec, auth-provider) or with a password: the kubectl method does those.
 */
export async function readClusterCredentials(
  context: ProviderContext,
  resolved: ResolvedKubeContext,
): Promise<KubeCredentials> {
  const { cluster, user } = resolved;
  if (user?.unsupported) {
    throw badConfig(
      `The user "${user.name}" of the context "${resolved.name}" (in ${user.source}) ${UNSUPPORTED[user.unsupported]}, which Token Explorer does not support yet: use the kubectl method for this account (settings "method": "kubectl").`,
    );
  }
  const clusterWhat = `cluster "${cluster.name}"`;
  const ca =
    cluster.certificateAuthorityData ??
    (cluster.certificateAuthority
      ? await readReferenced(
          context,
          cluster.certificateAuthority,
          'certificate-authority',
          cluster,
          clusterWhat,
          CERTIFICATE,
        )
      : undefined);
  let token: string | undefined;
  let clientCertificate: string | undefined;
  let clientKey: string | undefined;
  if (user?.tokenExpiry !== undefined && Date.parse(user.tokenExpiry) <= context.clock.now()) {
    throw badConfig(
      `The token that the auth-provider of user "${user.name}" (in ${user.source}) cached expired at ${user.tokenExpiry}. Run any kubectl command (e.g. \`kubectl get --raw /version --context ${resolved.name}\`) to refresh it, or use the kubectl method for this account (settings "method": "kubectl").`,
    );
  }
  if (user) {
    const userWhat = `user "${user.name}"`;
    token = user.token;
    if (!token && user.tokenFile) {
      token = (await readReferenced(context, user.tokenFile, 'tokenFile', user, userWhat)).trim();
      if (!token) throw badConfig(`The token file ${user.tokenFile} of ${userWhat} is empty.`);
    }
    clientCertificate =
      user.clientCertificateData ??
      (user.clientCertificate
        ? await readReferenced(
            context,
            user.clientCertificate,
            'client-certificate',
            user,
            userWhat,
            CERTIFICATE,
          )
        : undefined);
    clientKey =
      user.clientKeyData ??
      (user.clientKey
        ? await readReferenced(context, user.clientKey, 'client-key', user, userWhat, PRIVATE_KEY)
        : undefined);
  }
  return {
    server: cluster.server,
    ...(ca ? { ca } : {}),
    insecureSkipTlsVerify: cluster.insecureSkipTlsVerify,
    ...(cluster.tlsServerName ? { tlsServerName: cluster.tlsServerName } : {}),
    ...(token ? { token } : {}),
    ...(clientCertificate ? { clientCertificate } : {}),
    ...(clientKey ? { clientKey } : {}),
  };
}
