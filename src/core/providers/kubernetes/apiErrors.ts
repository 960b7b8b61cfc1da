import type { Remedy } from '../../remedies';
import { TokenExplorerError, asClause } from '../../errors';
import type { HttpFailure } from '../../http';
import { officialText } from '../officialTexts';
import type { ClusterOrigin, KubeAnswer } from './apiClient';

export const MAX_SERVER_TEXT = 400;

function clip(text: string): string {
  const flat = text.trim();
  return flat.length > MAX_SERVER_TEXT ? `${flat.slice(0, MAX_SERVER_TEXT)}…` : flat;
}

/** The fields of a Kubernetes `Status` error body that messages use. */
interface KubeStatus {
  readonly message?: string;
  readonly reason?: string;
  readonly kind?: string;
}

function readStatus(text: string): KubeStatus {
  try {
    const body = JSON.parse(text) as Record<string, unknown> | null;
    if (typeof body !== 'object' || body === null) return {};
    const details = body.details as Record<string, unknown> | undefined;
    return {
      ...(typeof body.message === 'string' ? { message: body.message } : {}),
      ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
      ...(typeof details?.kind === 'string' ? { kind: details.kind } : {}),
    };
  } catch {
    return {};
  }
}

/** The `kubectl create role/rolebinding` lines that grant token requests for one account. */
export function rbacCommands(
  requester: string | undefined,
  namespace: string,
  serviceAccount: string,
): string {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(requester ?? '');
  const subject = sa
    ? `--serviceaccount=${sa[1]}:${sa[2]}`
    : `--user=${requester && requester !== 'system:anonymous' ? requester : 'YOUR_USER'}`;
  return `kubectl create role token-requester --verb=create --resource=serviceaccounts/token --resource-name=${serviceAccount} -n ${namespace}\nkubectl create rolebinding token-requester --role=token-requester ${subject} -n ${namespace}`;
}

/** What a token request forbidden by RBAC needs, with the commands that grant it. */
export function rbacHint(requester: string | undefined, namespace: string, serviceAccount: string) {
  return `It needs the RBAC permission "create" on "serviceaccounts/token" in the namespace ${namespace}, e.g.:\n${rbacCommands(requester, namespace, serviceAccount)}`;
}

/**
 * The `kubectl auth can-i` line that checks the permission as whoever runs it (in the pod's
 * terminal: the pod's service account). The `TYPE/NAME` form and `--subresource` are kubectl's
 * (`kubectl auth can-i --help` examples: `list jobs.batch/bar -n foo`, `get pods
 * --subresource=log`); the permission is "create" on the subresource
 * `serviceaccounts/token` (https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/,
 * subresources in RBAC: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources).
 */
export function canICommand(namespace: string, serviceAccount: string): string {
  return `kubectl auth can-i create serviceaccounts/${serviceAccount} --subresource=token -n ${namespace}`;
}

/**
 * Copying the grant (run by someone who may create roles, never by us); from inside a pod also
 * the check, which the pod's own kubectl runs as the pod's service account.
 */
export function copyRbacGrant(
  requester: string | undefined,
  namespace: string,
  serviceAccount: string,
  inCluster = false,
): Remedy[] {
  return [
    {
      kind: 'copyCommand',
      command: rbacCommands(requester, namespace, serviceAccount),
      label: 'Copy Grant Commands',
    },
    ...(inCluster
      ? [
          {
            kind: 'copyCommand' as const,
            command: canICommand(namespace, serviceAccount),
            label: 'Copy Check Command',
          },
        ]
      : []),
  ];
}

/** The user name in a Forbidden message: `... is forbidden: User "jane" cannot create ...`. */
export function requesterIn(message: string): string | undefined {
  return /User "([^"]+)" cannot/.exec(message)?.[1];
}

/** The error for an HTTP error status of the TokenRequest call. */
export function statusFailure(
  answer: KubeAnswer,
  shown: string,
  origin: ClusterOrigin,
  namespace: string,
  serviceAccount: string,
): TokenExplorerError {
  const status = readStatus(answer.text);
  const said = asClause(status.message ?? clip(answer.text));
  const http = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  // The HttpFailure shape of ../../http, so callers read every provider's HTTP errors alike.
  const cause: HttpFailure = {
    status: answer.status,
    ...(status.reason ? { error: status.reason } : {}),
    ...(status.message ? { description: status.message } : {}),
  };
  const who = origin.user ? `the user "${origin.user}"` : 'an anonymous request (no user)';
  switch (answer.status) {
    case 401:
      if (origin.inCluster) {
        return new TokenExplorerError(
          'bad-credentials',
          `The API server rejected the pod's service-account token from ${origin.source}/token (${http}): it has expired (the kubelet rewrites it well before; one that stays expired belongs to an orphaned pod) or its service account was deleted. Restart the pod, and check its service account with \`kubectl get pod $HOSTNAME -o jsonpath='{.spec.serviceAccountName}'\`.`,
          { cause },
        );
      }
      return new TokenExplorerError(
        'bad-credentials',
        `The cluster of context "${origin.context}" rejected the credentials of ${who} (${http}): the token has expired or was revoked, or the cluster does not trust the client certificate. Refresh the kubeconfig (e.g. your cloud's "get-credentials" command) and try again.`,
        { cause },
      );
    case 403: {
      const requester = requesterIn(said);
      const anonymous = requester === 'system:anonymous' || (!requester && !origin.user);
      const check = origin.inCluster
        ? ` Check it from this pod's terminal with: ${canICommand(namespace, serviceAccount)}`
        : '';
      return new TokenExplorerError(
        'permission-denied',
        `${requester ? `"${requester}"` : who} may not request tokens for the service account ${namespace}/${serviceAccount} (${http}: ${said}).${anonymous ? ` The request was anonymous: the user of context "${origin.context}" has no token or client certificate.` : ''} ${rbacHint(requester, namespace, serviceAccount)}${check}`,
        {
          cause,
          remedies: copyRbacGrant(requester, namespace, serviceAccount, origin.inCluster),
        },
      );
    }
    case 404: {
      // Only a Status whose details.kind is serviceaccounts (or namespaces) names a missing
      // object; a Status without a kind is the API server lacking the token subresource, and a
      // body that is no Status at all came from something else (a proxy's "404 page not found").
      const id =
        status.kind === 'serviceaccounts'
          ? 'kubernetes-service-account-missing'
          : status.kind === 'namespaces'
            ? 'kubernetes-namespace-missing'
            : status.message !== undefined
              ? 'kubernetes-token-request-missing'
              : 'kubernetes-plain-404';
      const row = officialText(id);
      return new TokenExplorerError(
        row.code,
        `${shown} answered ${http} (${said}). ${row.advice({ namespace, serviceAccount, context: origin.context })}`,
        { cause },
      );
    }
    case 400:
    case 422:
      return new TokenExplorerError(
        'bad-config',
        `The cluster refused the token request (${http}): ${said}`,
        { cause },
      );
    default:
      return new TokenExplorerError(
        'http-status',
        `${shown} answered ${http}${said ? ` (${said})` : ''}.${answer.status === 429 || answer.status >= 500 ? ' The cluster had a problem; try again in a moment.' : ''}`,
        { cause },
      );
  }
}
