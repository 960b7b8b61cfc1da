import type { OutboundProxy } from '../net/outboundProxy';
import type {
  Clock,
  Environment,
  Fetch,
  FileReader,
  Logger,
  ProcessRunner,
  SecretStore,
} from '../ports';
import type { AwsSdk } from './aws/native';
import type { GoogleEndpoints } from './google/endpoints';
import type { ProviderKind } from './registry';

export type { ProviderKind } from './registry';

/**
 * A configured account: a provider kind plus its non-secret settings. Lives in the user setting
 * `tokenExplorer.accounts`; secret material lives in SecretStorage under `secretKey(id, name)`.
 */
export interface Account {
  /** Stable id, unique among accounts; also the SecretStorage key prefix. */
  readonly id: string;
  readonly kind: ProviderKind;
  /** Display name in the tree; defaults to the provider's description of the account. */
  readonly name?: string;
  /** Audience preselected by "Get ID token". */
  readonly defaultAudience?: string;
  /** Provider-specific, non-secret settings (emails, project, endpoints, file paths). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** A minted ID token and when it stops being valid. */
export interface MintedToken {
  readonly token: string;
  /** Milliseconds since the epoch, from the token's `exp`. */
  readonly expiresAt: number;
}

/** Everything a provider may touch, injected by the composition root (or a test). */
export interface ProviderContext {
  readonly fetch: Fetch;
  readonly clock: Clock;
  readonly runner: ProcessRunner;
  readonly secrets: SecretStore;
  readonly files: FileReader;
  readonly env: Environment;
  readonly logger: Logger;
  /** Upper bound for one network or CLI call. */
  readonly timeoutMs: number;
  /** The gcloud executable from the machine-scoped setting (never from a workspace). */
  readonly gcloudPath?: string;
  /** The yc (Yandex Cloud CLI) executable, from a machine-scoped setting. */
  readonly ycPath?: string;
  /** The kubectl executable, from a machine-scoped setting. */
  readonly kubectlPath?: string;
  /** The az executable, from a machine-scoped setting. */
  readonly azPath?: string;
  /** The buildkite-agent executable, from a machine-scoped setting. */
  readonly buildkiteAgentPath?: string;
  /** The circleci executable, from a machine-scoped setting. */
  readonly circleciPath?: string;
  /** Google API base URLs replacing Google's hosts, from a machine-scoped setting. */
  readonly googleEndpoints?: GoogleEndpoints;
  /**
   * Parses YAML (kubeconfig, .gitlab-ci.yml, yc config) into plain data; throws an Error whose
   * message names the line on bad input. Injected so the YAML library loads only when needed.
   */
  readonly parseYaml?: (text: string) => unknown;
  /**
   * Where a pod's service-account token, CA and namespace are mounted; default
   * `/var/run/secrets/kubernetes.io/serviceaccount` (tests point it at a temp folder).
   */
  readonly inClusterRoot?: string;
  /**
   * Loads the AWS SDK's credential chain (a separate bundle), for GetWebIdentityToken without the
   * aws CLI; absent where it is not shipped.
   */
  readonly awsSdk?: () => Promise<AwsSdk>;
  /** False in an untrusted workspace: providers that run user-defined commands refuse then. */
  readonly workspaceTrusted?: boolean;
  /**
   * The outbound proxy (VS Code's settings or the environment), read fresh; for requests that
   * do not go through `fetch` (the Kubernetes API client). `fetch` already applies it.
   */
  readonly outboundProxy?: OutboundProxy;
}

export interface MintRequest {
  readonly audience: string;
  readonly signal?: AbortSignal;
}

/** One way of minting ID tokens, e.g. the GCE metadata server or `gcloud`. */
export interface Provider {
  readonly kind: ProviderKind;
  /** Shown in the wizard and as the tree group, e.g. "Google Cloud: metadata server". */
  readonly label: string;
  /** Mints a fresh token; never caches (the token cache does). Errors are TokenExplorerError. */
  mint(account: Account, request: MintRequest, context: ProviderContext): Promise<MintedToken>;
  /** Problems with an account's settings, for the wizard and the tree; empty when fine. */
  validate(account: Account): string[];
  /**
   * A one-line description of the account, e.g. the service-account email; `env`, when given,
   * for what the environment decides (the API server of a pod's in-cluster config).
   */
  describe(account: Account, env?: Environment): string;
}

/** The SecretStorage key for one secret of one account. */
export function secretKey(accountId: string, name: string): string {
  return `account/${accountId}/${name}`;
}
