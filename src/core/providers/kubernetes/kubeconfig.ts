import { isNonEmptyString, isRecord } from '../../guards';
import { join } from 'node:path';
import type { Remedy } from '../../remedies';
import { TokenExplorerError, errorMessage, asClause } from '../../errors';
import { yamlProblemInWords } from '../../yamlProblem';
import type { ProviderContext } from '../provider';
import type { ExecConfig } from './execCredential';

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

export type Raw = Readonly<Record<string, unknown>>;

/** A `bad-config` error; `remedies` say what fixes it (open the file, pick another one). */
export function badConfig(
  message: string,
  cause?: unknown,
  remedies: readonly Remedy[] = [],
): TokenExplorerError {
  return new TokenExplorerError('bad-config', message, {
    ...(cause === undefined ? {} : { cause }),
    remedies,
  });
}

/** What fixes a broken kubeconfig file: editing it. */
function openIt(file: string): Remedy[] {
  return [{ kind: 'openFile', path: file }];
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
  if (!Array.isArray(value)) {
    throw badConfig(`"${list}" in the kubeconfig ${file} is not a list.`, undefined, openIt(file));
  }
  return value.map((entry: unknown, index) => {
    const name = isRecord(entry) ? entry.name : undefined;
    if (!isNonEmptyString(name)) {
      throw badConfig(
        `Entry ${index + 1} of "${list}" in the kubeconfig ${file} has no "name".`,
        undefined,
        openIt(file),
      );
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
    /** The same when every file KUBECONFIG names is missing (kubectl skips missing files). */
    readonly allowMissingVariable?: boolean;
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
      throw badConfig(
        `The kubeconfig ${file} could not be read: ${asClause(errorMessage(error))}.`,
        error,
        [{ kind: 'pickKubeconfig' }],
      );
    }
    if (text === undefined) continue;
    files.push(file);
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (error) {
      // A notification shows one line: the position in words there, js-yaml's code frame here.
      context.logger.warn(`The kubeconfig ${file} is not valid YAML:\n${errorMessage(error)}`);
      throw badConfig(
        `The kubeconfig ${file} is not valid YAML: ${yamlProblemInWords(error)}.`,
        error,
        openIt(file),
      );
    }
    if (doc === null || doc === undefined) continue;
    if (!isRecord(doc)) {
      throw badConfig(`The kubeconfig ${file} is not a YAML map.`, undefined, openIt(file));
    }
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
  if (
    files.length === 0 &&
    ((from === 'default' && options.allowMissingDefault) ||
      (from === 'KUBECONFIG' && options.allowMissingVariable))
  ) {
    return { files, ...maps };
  }
  if (files.length === 0) {
    throw badConfig(
      from === 'setting'
        ? `The kubeconfig ${paths[0]} (account setting "kubeconfig") does not exist.`
        : from === 'KUBECONFIG'
          ? `None of the files in KUBECONFIG exist: ${paths.join(', ')}.`
          : `No kubeconfig: ${paths[0]} does not exist and KUBECONFIG is not set. Set up access to your cluster (e.g. your cloud's "get-credentials" command), or name a kubeconfig in the account settings.`,
      undefined,
      [{ kind: 'pickKubeconfig' }],
    );
  }
  return { files, ...(currentContext ? { currentContext } : {}), ...maps };
}

/** How a kubeconfig user authenticates, judged by the fields it sets. */
export function authOf(user: Raw | undefined): KubeContextSummary['auth'] {
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
