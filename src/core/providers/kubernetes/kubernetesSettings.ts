import { isNonBlankString } from '../../guards';
import type { Account, ProviderContext } from '../provider';
import { assertSettingsValid, nonTextSettings, optionalString } from '../settings';

/** The API server refuses shorter tokens (TokenRequest validation). */
export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const DEFAULT_EXPIRATION_SECONDS = 3600;
/** DNS-1123 subdomain (service-account names) and label (namespaces). */
const SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The settings of a `kubernetes` account. */
export interface KubernetesSettings {
  readonly serviceAccount: string;
  /** Default: the context's namespace, else `default`. */
  readonly namespace?: string;
  /** Default: the kubeconfig's `current-context`. */
  readonly context?: string;
  /** Default: KUBECONFIG, else ~/.kube/config. */
  readonly kubeconfig?: string;
  /** As configured; minting raises it to {@link MIN_EXPIRATION_SECONDS}. */
  readonly expirationSeconds: number;
  readonly method: 'api' | 'kubectl';
  /** An account-specific kubectl; otherwise the machine-scoped setting decides. */
  readonly kubectlPath?: string;
  /** The object the token is bound to: it stops being valid when the object is deleted. */
  readonly boundObject?: BoundObject;
  /** Mint with the pod's own service account and cluster (client-go's in-cluster config). */
  readonly inCluster?: true;
}

/**
 * A TokenRequest `spec.boundObjectRef` (authentication/v1 BoundObjectReference) and kubectl's
 * `--bound-object-kind/-name/-uid`: kinds Pod, Secret and Node, all apiVersion v1
 * (kubernetes/kubectl pkg/cmd/create/create_token.go `boundObjectKinds`).
 */
export interface BoundObject {
  readonly kind: 'Pod' | 'Secret' | 'Node';
  readonly name: string;
  /** When unset the API server uses the existing object's uid. */
  readonly uid?: string;
}

const BOUND_KINDS = ['Node', 'Pod', 'Secret'];

/** The problems of a `boundObject` setting, in kubectl's terms (create_token.go `Validate`). */
function boundObjectProblems(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    return ['"boundObject" must be {"kind": "Pod" | "Secret" | "Node", "name": …, "uid"?: …}.'];
  }
  const { kind, name, uid } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof kind !== 'string' || !BOUND_KINDS.includes(kind)) {
    problems.push(`"boundObject.kind" must be one of ${BOUND_KINDS.join(', ')}.`);
  }
  if (typeof name !== 'string' || name.trim() === '') {
    problems.push('"boundObject.name" is required when "boundObject" is set.');
  }
  if (uid !== undefined && typeof uid !== 'string')
    problems.push('"boundObject.uid" must be text.');
  return problems;
}

/** "inCluster" excludes naming a kubeconfig, a context, or kubectl (which reads a kubeconfig). */
function inClusterProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const value = settings.inCluster;
  if (value === undefined || value === false) return [];
  if (value !== true) return ['"inCluster" must be true or false.'];
  const clashing = ['kubeconfig', 'context'].filter((key) => optionalString(settings[key]));
  if (settings.method === 'kubectl') clashing.push('"method": "kubectl"');
  return clashing.length === 0
    ? []
    : [
        `"inCluster": true mints with the pod's own service account over the TokenRequest API; remove ${clashing.map((k) => (k.startsWith('"') ? k : `"${k}"`)).join(' and ')}, or set "inCluster" to false.`,
      ];
}

export function settingProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const sa = settings.serviceAccount;
  if (!isNonBlankString(sa)) {
    problems.push('Set "serviceAccount" to the name of the service account.');
  } else if (!SUBDOMAIN.test(sa.trim())) {
    problems.push(
      `"serviceAccount" (${sa}) is not a Kubernetes name: lower-case letters, digits, "-" and ".".`,
    );
  }
  const ns = settings.namespace;
  if (
    ns !== undefined &&
    (typeof ns !== 'string' || (ns.trim() !== '' && !LABEL.test(ns.trim())))
  ) {
    problems.push(
      `"namespace" (${String(ns)}) is not a Kubernetes namespace name: lower-case letters, digits and "-", at most 63.`,
    );
  }
  problems.push(...nonTextSettings(settings, ['context', 'kubeconfig', 'kubectlPath']));
  const seconds = settings.expirationSeconds;
  if (
    seconds !== undefined &&
    (typeof seconds !== 'number' ||
      !Number.isInteger(seconds) ||
      seconds < 1 ||
      seconds > MAX_EXPIRATION_SECONDS)
  ) {
    problems.push(
      `"expirationSeconds" must be a whole number of seconds (at least ${MIN_EXPIRATION_SECONDS}).`,
    );
  }
  problems.push(...boundObjectProblems(settings.boundObject));
  problems.push(...inClusterProblems(settings));
  if (settings.method !== undefined && settings.method !== 'api' && settings.method !== 'kubectl') {
    problems.push('"method" must be "api" or "kubectl".');
  }
  return problems;
}

/**
 * Reads the settings of a `kubernetes` account, with defaults.
 * @throws TokenExplorerError `bad-config` listing what is wrong.
 */
export function readKubernetesSettings(account: Account): KubernetesSettings {
  assertSettingsValid(settingProblems(account.settings), account);
  const s = account.settings;
  const namespace = optionalString(s.namespace);
  const context = optionalString(s.context);
  const kubeconfig = optionalString(s.kubeconfig);
  const kubectlPath = optionalString(s.kubectlPath);
  return {
    serviceAccount: (s.serviceAccount as string).trim(),
    ...(namespace ? { namespace } : {}),
    ...(context ? { context } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    expirationSeconds: (s.expirationSeconds as number | undefined) ?? DEFAULT_EXPIRATION_SECONDS,
    method: s.method === 'kubectl' ? 'kubectl' : 'api',
    ...(kubectlPath ? { kubectlPath } : {}),
    ...(s.boundObject
      ? { boundObject: readBoundObject(s.boundObject as Record<string, string>) }
      : {}),
    ...(s.inCluster === true ? { inCluster: true } : {}),
  };
}

function readBoundObject(raw: Record<string, string>): BoundObject {
  const uid = raw.uid?.trim();
  return {
    kind: raw.kind as BoundObject['kind'],
    name: (raw.name ?? '').trim(),
    ...(uid ? { uid } : {}),
  };
}

/** The lifetime to ask for: the setting, raised to the API's minimum with a note in the log. */
export function expirationFor(
  settings: KubernetesSettings,
  account: Account,
  context: ProviderContext,
) {
  if (settings.expirationSeconds >= MIN_EXPIRATION_SECONDS) return settings.expirationSeconds;
  context.logger.warn(
    `Kubernetes account "${account.name ?? account.id}": expirationSeconds ${settings.expirationSeconds} is below the API's minimum of ${MIN_EXPIRATION_SECONDS} s; asking for ${MIN_EXPIRATION_SECONDS} s.`,
  );
  return MIN_EXPIRATION_SECONDS;
}
