/**
 * The places where platforms leave a workload's ID token for it, as their official docs name
 * them. Each entry says where the token is (a variable naming a file, a variable holding the token,
 * or a fixed path), who puts a fresh one there (for the "expired" message) and the source.
 */

/** Where a token-file account reads its token. */
export type TokenLocation =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'pathVariable'; readonly name: string }
  | { readonly kind: 'variable'; readonly name: string };

/** One well-known place a platform writes a workload's ID token. */
export interface WellKnownTokenPlace {
  /** Short name of the platform feature, e.g. "EKS IAM roles for service accounts". */
  readonly label: string;
  /** The account's suggested name: short enough for the tree's row at its default width. */
  readonly name: string;
  readonly location: TokenLocation;
  /** Who writes a fresh token there and when, for the message about an expired one. */
  readonly rotatedBy: string;
  /** The official page that names the variable or path. */
  readonly source: string;
}

/** The default mount of a pod's projected service-account token (kubelet). */
export const KUBERNETES_TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export const WELL_KNOWN_TOKEN_PLACES: readonly WellKnownTokenPlace[] = [
  {
    label: 'EKS IAM roles for service accounts (IRSA)',
    name: 'EKS IRSA token',
    location: { kind: 'pathVariable', name: 'AWS_WEB_IDENTITY_TOKEN_FILE' },
    rotatedBy:
      'The kubelet rewrites this projected token (default 24 h, refreshed at 80 % of its life); if it stays expired, restart the pod or check the EKS Pod Identity webhook',
    source: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html',
  },
  {
    label: 'EKS Pod Identity',
    name: 'EKS Pod Identity token',
    location: { kind: 'pathVariable', name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE' },
    rotatedBy:
      'The kubelet rewrites this projected token (audience pods.eks.amazonaws.com); if it stays expired, restart the pod and check the EKS Pod Identity Agent add-on',
    source: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html',
  },
  {
    label: 'AKS workload identity',
    name: 'AKS workload token',
    location: { kind: 'pathVariable', name: 'AZURE_FEDERATED_TOKEN_FILE' },
    rotatedBy:
      'The kubelet rewrites this projected token (audience api://AzureADTokenExchange, 1 h by default); if it stays expired, restart the pod and check the azure-workload-identity webhook',
    source: 'https://learn.microsoft.com/en-us/azure/aks/workload-identity-overview',
  },
  {
    label: 'HCP Terraform workload identity',
    name: 'HCP Terraform run token',
    location: { kind: 'variable', name: 'TFC_WORKLOAD_IDENTITY_TOKEN' },
    rotatedBy:
      'HCP Terraform puts a new token in the run environment for each plan and apply phase (when the workspace sets TFC_WORKLOAD_IDENTITY_AUDIENCE); start a new run',
    source:
      'https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/manual-generation',
  },
  {
    label: 'Kubernetes service-account token',
    name: 'Pod service-account token',
    location: { kind: 'path', path: `${KUBERNETES_TOKEN_DIR}/token` },
    rotatedBy:
      'The kubelet rewrites the projected service-account token before it expires (at 80 % of its life, at least hourly); if it stays expired, the pod is likely orphaned: restart it',
    source:
      'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#launch-a-pod-using-service-account-token-projection',
  },
];

/** The well-known place an account's location is, if it is one. */
export function wellKnownPlace(location: TokenLocation): WellKnownTokenPlace | undefined {
  return WELL_KNOWN_TOKEN_PLACES.find((place) => sameLocation(place.location, location));
}

function sameLocation(a: TokenLocation, b: TokenLocation): boolean {
  if (a.kind === 'path' && b.kind === 'path') return a.path === b.path;
  if (a.kind !== 'path' && b.kind !== 'path') return a.kind === b.kind && a.name === b.name;
  return false;
}

/**
 * Environment variable names that by convention name a token file (`*_TOKEN_FILE`,
 * `*_TOKEN_PATH`) or hold a workload identity token (`TFC_WORKLOAD_IDENTITY_TOKEN_<TAG>`, HCP
 * Terraform's per-audience tokens), beyond the well-known list: offered by the wizard.
 */
export function conventionalLocation(name: string): TokenLocation | undefined {
  if (/^[A-Za-z_][A-Za-z0-9_]*_TOKEN_(?:FILE|PATH)$/.test(name)) {
    return { kind: 'pathVariable', name };
  }
  if (/^TFC_WORKLOAD_IDENTITY_TOKEN(?:_[A-Za-z0-9_]+)?$/.test(name)) {
    return { kind: 'variable', name };
  }
  return undefined;
}
