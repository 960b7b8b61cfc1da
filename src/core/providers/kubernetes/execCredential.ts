import { shellQuote } from '../../call/headerForms';
import { TokenExplorerError } from '../../errors';
import { INSTALL_PAGES, type Remedy, openFileRemedies } from '../../remedies';
import { errorLines, excerpt, parseStdoutJson, runCli } from '../cli';
import type { ProviderContext } from '../provider';

/**
 * kubeconfig users whose credentials come from an exec plugin (`gke-gcloud-auth-plugin`,
 * `aws eks get-token`, `kubelogin`), run as client-go runs them
 * (kubernetes/client-go plugin/pkg/client/auth/exec/exec.go, `refreshCredsLocked`).
 */

const API_VERSIONS = new Set([
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
]);
type InteractiveMode = 'Never' | 'IfAvailable' | 'Always';

/** A user's `exec` section (client-go tools/clientcmd/api/v1/types.go `ExecConfig`). */
export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: string;
  readonly interactiveMode: InteractiveMode;
  readonly provideClusterInfo: boolean;
  readonly installHint?: string;
  /** The kubeconfig file that defines the user (for "Open <file>"). */
  readonly kubeconfig?: string;
}

/** The cluster as the plugin sees it in `spec.cluster` (clientauthentication/v1 `Cluster`). */
export interface ExecCluster {
  readonly server: string;
  readonly tlsServerName?: string;
  readonly insecureSkipTlsVerify: boolean;
  /** PEM text; sent base64-encoded as `certificate-authority-data`. */
  readonly certificateAuthorityData?: string;
  readonly proxyUrl?: string;
  /** The cluster's `extensions` entry `client.authentication.k8s.io/exec`, as `config`. */
  readonly config?: unknown;
}

/** What the plugin printed: a token or a client certificate and key, and when they expire. */
export interface ExecCredentials {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  /** Epoch ms from `status.expirationTimestamp`; undefined when the plugin gave none. */
  readonly expiresAt?: number;
}

function badIn(where: string, problem: string, file?: string): TokenExplorerError {
  return new TokenExplorerError('bad-config', `The exec plugin of ${where}: ${problem}`, {
    remedies: openFileRemedies(file),
  });
}

/**
 * Install pages of the exec plugins kubeconfigs name, by executable (without `.exe`): each
 * vendor's own page, the one its kubeconfig generator points to.
 */
export const EXEC_PLUGIN_PAGES: Readonly<Record<string, string>> = {
  // GKE: "Install required plugins" of "Install kubectl and configure cluster access".
  'gke-gcloud-auth-plugin':
    'https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin',
  // EKS: `aws eks update-kubeconfig` writes `command: aws` with `eks get-token`.
  aws: INSTALL_PAGES.aws,
  'aws-iam-authenticator': 'https://github.com/kubernetes-sigs/aws-iam-authenticator#readme',
  // AKS: Azure/kubelogin (azure.github.io/kubelogin "Installation"; also `az aks install-cli`).
  kubelogin: 'https://azure.github.io/kubelogin/install.html',
  // int128/kubelogin, the generic OIDC plugin, runs as `kubectl oidc-login` / kubectl-oidc_login.
  'kubectl-oidc_login': 'https://github.com/int128/kubelogin#setup',
  gcloud: INSTALL_PAGES.gcloud,
  az: INSTALL_PAGES.az,
  yc: INSTALL_PAGES.yc,
  doctl: 'https://docs.digitalocean.com/reference/doctl/how-to/install/',
  oci: 'https://docs.oracle.com/en-us/iaas/Content/API/SDKDocs/cliinstall.htm',
};

/** The first http(s) URL in a kubeconfig's `installHint` (client-go prints the hint as is). */
function hintUrl(hint: string | undefined): string | undefined {
  return hint?.match(/https?:\/\/[^\s"'<>)]+/)?.[0]?.replace(/[.,;:]+$/, '');
}

/**
 * What fixes a plugin that is not there: its kubeconfig (the command may be misspelt or need a
 * full path), and its install page: the kubeconfig's own `installHint` URL, else the vendor's.
 */
export function missingPluginRemedies(config: ExecConfig): Remedy[] {
  const name = (config.command.split(/[\\/]/).pop() ?? '').replace(/\.exe$/i, '');
  const url = hintUrl(config.installHint) ?? EXEC_PLUGIN_PAGES[name];
  return [
    ...openFileRemedies(config.kubeconfig),
    ...(url ? [{ kind: 'openUrl' as const, url, label: 'Install Guide' }] : []),
  ];
}

/** A word as a POSIX shell reads it: quoted only when it must be. */
function shellWord(text: string): string {
  return /^[\w./:@=-]+$/.test(text) ? text : shellQuote(text);
}

/**
 * Reads and checks an `exec` section as client-go's validation does (tools/clientcmd/validation.go
 * `validateAuthInfo`; defaults from api/v1/defaults.go `SetDefaults_ExecConfig`: v1beta1 defaults
 * interactiveMode to IfAvailable, v1 requires it). v1alpha1 is gone from client-go.
 * @throws TokenExplorerError `bad-config` naming the user and the field.
 */
export function readExecConfig(raw: unknown, where: string, kubeconfig?: string): ExecConfig {
  const bad = (w: string, problem: string) => badIn(w, problem, kubeconfig);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw bad(where, '"exec" is not a mapping.');
  }
  const exec = raw as Record<string, unknown>;
  const command = exec.command;
  if (typeof command !== 'string' || command.trim() === '') {
    throw bad(where, '"command" must be specified.');
  }
  const apiVersion = exec.apiVersion;
  if (typeof apiVersion !== 'string' || !API_VERSIONS.has(apiVersion)) {
    throw bad(
      where,
      `"apiVersion" must be client.authentication.k8s.io/v1 or v1beta1 (it is ${typeof apiVersion === 'string' ? apiVersion : 'not set'}).`,
    );
  }
  const args = exec.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw bad(where, '"args" must be a list of strings.');
  }
  const env = exec.env ?? [];
  if (
    !Array.isArray(env) ||
    !env.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as Record<string, unknown>).name === 'string' &&
        (e as Record<string, unknown>).name !== '' &&
        typeof (e as Record<string, unknown>).value === 'string',
    )
  ) {
    throw bad(where, '"env" must be a list of {name, value} with a name.');
  }
  let mode = exec.interactiveMode;
  if (mode === undefined || mode === '') {
    if (apiVersion.endsWith('/v1')) {
      throw bad(where, '"interactiveMode" must be specified for client.authentication.k8s.io/v1.');
    }
    mode = 'IfAvailable';
  }
  if (mode !== 'Never' && mode !== 'IfAvailable' && mode !== 'Always') {
    throw bad(where, `invalid "interactiveMode" ${JSON.stringify(mode)}.`);
  }
  const hint = exec.installHint;
  return {
    command,
    args: args as string[],
    env: env as { name: string; value: string }[],
    apiVersion,
    interactiveMode: mode,
    provideClusterInfo: exec.provideClusterInfo === true,
    ...(typeof hint === 'string' && hint.trim() ? { installHint: hint.trim() } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
  };
}

/** `KUBERNETES_EXEC_INFO`: the ExecCredential client-go encodes for the plugin. */
function execInfo(config: ExecConfig, cluster: ExecCluster, interactive: boolean): string {
  const spec: Record<string, unknown> = { interactive };
  if (config.provideClusterInfo) {
    spec.cluster = {
      server: cluster.server,
      ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
      ...(cluster.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
      ...(cluster.certificateAuthorityData
        ? {
            'certificate-authority-data': Buffer.from(cluster.certificateAuthorityData).toString(
              'base64',
            ),
          }
        : {}),
      ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
      ...(cluster.config !== undefined ? { config: cluster.config } : {}),
    };
  }
  return JSON.stringify({ kind: 'ExecCredential', apiVersion: config.apiVersion, spec });
}

/**
 * Where a plugin is used: `where` names the user for messages; `contextName` is the kubeconfig
 * context, for the kubectl command that runs the plugin in a terminal (to sign in).
 */
export interface ExecOrigin {
  readonly where: string;
  readonly contextName: string;
}

/** What one run of a plugin needs: its config, the cluster, where it is used. */
type ExecRun = [
  config: ExecConfig,
  cluster: ExecCluster,
  origin: ExecOrigin,
  context: ProviderContext,
  signal?: AbortSignal,
];

/**
 * The command that runs the same plugin in a terminal, where it can ask for a sign-in:
 * `kubectl get --raw /version` with the context (and the kubeconfig file that defines it).
 */
export function signInCommand(config: ExecConfig, origin: ExecOrigin): string {
  const file = config.kubeconfig ? ` --kubeconfig ${shellWord(config.kubeconfig)}` : '';
  return `kubectl${file} --context ${shellWord(origin.contextName)} get --raw /version`;
}

/** Copying the sign-in command: the user runs it (the plugin may open a browser or ask). */
function signInRemedies(config: ExecConfig, origin: ExecOrigin): Remedy[] {
  return [
    { kind: 'copyCommand', command: signInCommand(config, origin), label: 'Copy Sign-in Command' },
  ];
}

/** The credentials in the plugin's stdout, checked as client-go checks them. */
function readCredential(stdout: string, config: ExecConfig, where: string): ExecCredentials {
  const json = parseStdoutJson(
    stdout,
    `The exec plugin ${config.command} of ${where} did not print an ExecCredential (JSON) on standard output.`,
  );
  const cred = (json ?? {}) as { apiVersion?: unknown; kind?: unknown; status?: unknown };
  if (cred.apiVersion !== config.apiVersion) {
    throw new TokenExplorerError(
      'bad-response',
      `The exec plugin ${config.command} of ${where} is configured to use API version ${config.apiVersion}, but returned version ${String(cred.apiVersion)}.`,
    );
  }
  const status = cred.status as Record<string, unknown> | undefined;
  if (typeof status !== 'object' || status === null) {
    throw new TokenExplorerError(
      'bad-response',
      `The exec plugin ${config.command} of ${where} did not return a status field.`,
    );
  }
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const token = text(status.token);
  const cert = text(status.clientCertificateData);
  const key = text(status.clientKeyData);
  if (!token && !cert && !key) {
    throw new TokenExplorerError(
      'bad-response',
      `The exec plugin ${config.command} of ${where} did not return a token or a certificate and key.`,
    );
  }
  if (!cert !== !key) {
    throw new TokenExplorerError(
      'bad-response',
      `The exec plugin ${config.command} of ${where} returned only a certificate or a key, not both.`,
    );
  }
  const stamp = text(status.expirationTimestamp);
  const expiresAt = stamp === undefined ? undefined : Date.parse(stamp);
  if (expiresAt !== undefined && Number.isNaN(expiresAt)) {
    throw new TokenExplorerError(
      'bad-response',
      `The exec plugin ${config.command} of ${where} returned an expirationTimestamp that is not a time.`,
    );
  }
  return {
    ...(token ? { token } : {}),
    ...(cert && key ? { clientCertificateData: cert, clientKeyData: key } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

/**
 * Credentials from exec plugins, kept until their `expirationTimestamp` (client-go `isExpired`:
 * a credential without one is kept until the API server answers 401, see {@link forget}).
 */
export class ExecCredentialCache {
  private readonly entries = new Map<string, ExecCredentials>();

  /**
   * The cached credentials of this plugin and cluster, or a fresh run of the plugin. The editor
   * has no terminal for the plugin, so it runs non-interactively: `Always` is refused as
   * client-go refuses it without a terminal.
   */
  async get(...run: ExecRun): Promise<ExecCredentials> {
    const [config, cluster, , context] = run;
    const key = JSON.stringify([config, cluster]);
    const cached = this.entries.get(key);
    if (cached && (cached.expiresAt === undefined || context.clock.now() < cached.expiresAt)) {
      return cached;
    }
    const fresh = await runExecPlugin(...run);
    this.entries.set(key, fresh);
    return fresh;
  }

  /** Drops what a plugin gave for this cluster (after a 401: the credential was revoked). */
  forget(config: ExecConfig, cluster: ExecCluster): void {
    this.entries.delete(JSON.stringify([config, cluster]));
  }
}

/** Runs the plugin once, as client-go `refreshCredsLocked` does, and reads what it printed. */
async function runExecPlugin(
  ...[config, cluster, origin, context, signal]: ExecRun
): Promise<ExecCredentials> {
  const { where } = origin;
  const signIn = signInCommand(config, origin);
  if (config.interactiveMode === 'Always') {
    // client-go isInteractive: "standard input is not a terminal" when Always has no terminal.
    throw new TokenExplorerError(
      'bad-config',
      `The exec plugin ${config.command} of ${where} needs a terminal (interactiveMode: Always), which the editor cannot give it: run \`${signIn}\` once in a terminal to log in, or use the kubectl method in a terminal-backed setup.`,
      { remedies: signInRemedies(config, origin) },
    );
  }
  const env: Record<string, string> = {};
  for (const { name, value } of config.env) env[name] = value;
  env.KUBERNETES_EXEC_INFO = execInfo(config, cluster, false);
  const result = await runCli(
    context.runner,
    config.command,
    config.args,
    { timeoutMs: context.timeoutMs, env, signal },
    {
      notFound: () =>
        `The exec plugin ${config.command} of ${where} was not found.${config.installHint ? ` ${config.installHint}` : ' Install it, or give its full path as "command" in the kubeconfig.'}`,
      timeout: (seconds) =>
        `The exec plugin ${config.command} of ${where} did not finish within ${seconds} s and was stopped. Run \`${signIn}\` in a terminal: the plugin may be waiting for a sign-in.`,
      notFoundRemedies: missingPluginRemedies(config),
      timeoutRemedies: [...signInRemedies(config, origin), { kind: 'retry' }],
    },
  );
  if (result.exitCode !== 0) {
    const said = excerpt(errorLines(result.stderr));
    throw new TokenExplorerError(
      'cli-failed',
      `The exec plugin ${config.command} of ${where} failed (exit code ${result.exitCode ?? 'none'})${said ? `:\n${said}\n` : '. '}Run \`${signIn}\` in a terminal to see the plugin's output and log in again.`,
      { remedies: signInRemedies(config, origin) },
    );
  }
  return readCredential(result.stdout, config, where);
}
