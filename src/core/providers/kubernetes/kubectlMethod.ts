import { TokenExplorerError } from '../../errors';
import type { ProcessResult } from '../../ports';
import { INSTALL_PAGES } from '../../remedies';
import { errorLines, excerpt, failureHead, runCli } from '../cli';
import { recogniseOfficialText } from '../officialTexts';
import type { MintRequest, MintedToken, ProviderContext } from '../provider';
import { MAX_SERVER_TEXT, copyRbacGrant, rbacHint, requesterIn } from './apiErrors';
import { expandHome } from './kubeconfig';
import type { KubernetesSettings } from './kubernetesSettings';
import { mintedToken } from './mintedToken';

const MAX_ERROR_LINES = 4;

/** The arguments of `kubectl create token` for an account. */
function kubectlArgs(
  settings: KubernetesSettings,
  audience: string,
  expirationSeconds: number,
  homeDir: string,
): string[] {
  const args = ['create', 'token', settings.serviceAccount];
  // Without --namespace kubectl takes the context's namespace, else "default", as the API method.
  if (settings.namespace) args.push(`--namespace=${settings.namespace}`);
  if (audience) args.push(`--audience=${audience}`);
  args.push(`--duration=${expirationSeconds}s`);
  const bound = settings.boundObject;
  if (bound) {
    args.push(`--bound-object-kind=${bound.kind}`, `--bound-object-name=${bound.name}`);
    if (bound.uid) args.push(`--bound-object-uid=${bound.uid}`);
  }
  if (settings.context) args.push(`--context=${settings.context}`);
  if (settings.kubeconfig) args.push(`--kubeconfig=${expandHome(settings.kubeconfig, homeDir)}`);
  return args;
}

/** kubectl's error output for quoting: the first few non-blank lines. */
function kubectlError(stderr: string): string {
  return excerpt(errorLines(stderr), MAX_ERROR_LINES, MAX_SERVER_TEXT);
}

/** The error for a failed `kubectl create token`, with what to do for the common failures. */
function kubectlFailure(
  result: ProcessResult,
  args: readonly string[],
  settings: KubernetesSettings,
): TokenExplorerError {
  const said = kubectlError(result.stderr);
  const head = failureHead(`kubectl ${args.join(' ')}`, result, said);
  const sa = settings.serviceAccount;
  if (/unknown command "token"|unknown flag: --(audience|duration)/.test(said)) {
    return new TokenExplorerError(
      'cli-failed',
      `${head}\`kubectl create token\` needs kubectl 1.24 or newer: update kubectl, or use the API method.`,
    );
  }
  const missingKubeconfig = /stat (.+): no such file or directory/.exec(said);
  if (missingKubeconfig) {
    return new TokenExplorerError(
      'bad-config',
      `${head}The kubeconfig ${missingKubeconfig[1]} does not exist; check the account's "kubeconfig".`,
      { remedies: [{ kind: 'pickKubeconfig' }] },
    );
  }
  const row = recogniseOfficialText('kubernetes', said);
  if (row) {
    const missingNamespace = /namespaces "([^"]+)" not found/.exec(said)?.[1];
    return new TokenExplorerError(
      row.code,
      `${head}${row.advice({
        ...((missingNamespace ?? settings.namespace)
          ? { namespace: missingNamespace ?? settings.namespace }
          : {}),
        serviceAccount: sa,
        ...(settings.context ? { context: settings.context } : {}),
      })}`,
    );
  }
  if (/forbidden|\(Forbidden\)/i.test(said)) {
    return new TokenExplorerError(
      'permission-denied',
      `${head}${rbacHint(requesterIn(said), settings.namespace ?? 'NAMESPACE', sa)}`,
      { remedies: copyRbacGrant(requesterIn(said), settings.namespace ?? 'NAMESPACE', sa) },
    );
  }
  if (/Unauthorized|You must be logged in|provide credentials/.test(said)) {
    return new TokenExplorerError(
      'bad-credentials',
      `${head}The cluster rejected kubectl's credentials: they have expired or were revoked. Log in again (e.g. your cloud's "get-credentials" command), then try again.`,
    );
  }
  if (/context was not found for specified context|context "[^"]+" does not exist/.test(said)) {
    return new TokenExplorerError(
      'bad-config',
      `${head}The context "${settings.context ?? ''}" is not in the kubeconfig; see \`kubectl config get-contexts\`.`,
    );
  }
  if (/x509:|tls:/.test(said)) {
    return new TokenExplorerError(
      'network',
      `${head}kubectl could not connect securely: the cluster's certificate is not signed by the CA in your kubeconfig, or is not issued for the server's name. Fetch a fresh kubeconfig for the cluster.`,
    );
  }
  if (/connection refused|no such host|i\/o timeout|Unable to connect to the server/.test(said)) {
    return new TokenExplorerError(
      'network',
      `${head}kubectl could not reach the cluster; check that it is running and reachable (VPN, firewall).`,
    );
  }
  if (/is invalid/.test(said)) {
    return new TokenExplorerError('bad-config', `${head}The cluster refused the token request.`);
  }
  return new TokenExplorerError(
    'cli-failed',
    `${head}Run the same command in a terminal to see the whole output.`,
  );
}

export async function mintWithKubectl(
  settings: KubernetesSettings,
  expirationSeconds: number,
  request: MintRequest,
  context: ProviderContext,
): Promise<MintedToken> {
  const kubectl = settings.kubectlPath ?? context.kubectlPath ?? 'kubectl';
  const args = kubectlArgs(
    settings,
    request.audience.trim(),
    expirationSeconds,
    context.env.homeDir,
  );
  const result = await runCli(
    context.runner,
    kubectl,
    args,
    { timeoutMs: context.timeoutMs, signal: request.signal },
    {
      notFound: () =>
        `kubectl was not found at ${kubectl}. Install kubectl, set tokenExplorer.kubectl.path to its full path, or use the API method (settings "method": "api").`,
      notFoundRemedies: [
        { kind: 'pickExecutable', tool: 'kubectl', setting: 'tokenExplorer.kubectl.path' },
        { kind: 'setAccountSetting', key: 'method', value: 'api', label: 'Use the API Method' },
        { kind: 'openUrl', url: INSTALL_PAGES.kubectl, label: 'Install Guide' },
      ],
      timeout: (seconds) =>
        `kubectl ${args.join(' ')} did not finish within ${seconds} s and was stopped. Run it in a terminal: the cluster may be unreachable, or a login plugin may be waiting for you.`,
    },
  );
  if (result.exitCode !== 0) throw kubectlFailure(result, args, settings);
  const token = result.stdout.trim();
  if (!token) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `kubectl ${args.join(' ')} printed nothing on standard output.`,
    );
  }
  return mintedToken(token, undefined, `kubectl ${args.slice(0, 3).join(' ')}`);
}
