/** The token sources whose claims the catalogue explains in their own terms. */
export type IssuerFamily =
  | 'google'
  | 'gitlab'
  | 'github'
  | 'yandex'
  | 'kubernetes'
  | 'buildkite'
  | 'circleci'
  | 'bitbucket'
  | 'azure-devops'
  | 'entra'
  | 'aws';

/**
 * Hosts of Microsoft Entra issuers: v1.0 tokens name `sts.windows.net` (or a sovereign cloud's
 * equivalent), v2.0 tokens the login host
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference, "iss").
 */
export const ENTRA_ISSUER_HOSTS: ReadonlySet<string> = new Set([
  'sts.windows.net',
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'sts.chinacloudapi.cn',
]);
/** Bitbucket's per-workspace issuer path (…/2.0/workspaces/WS/pipelines-config/identity/oidc). */
const BITBUCKET_ISSUER_PATH = '/pipelines-config/identity/oidc';

const GOOGLE_ASSERTION_AUDIENCE = 'https://oauth2.googleapis.com/token';
/** AWS outbound identity federation: per-account issuers `https://<id>.tokens.sts.global.api.aws`. */
const AWS_ISSUER_SUFFIX = '.tokens.sts.global.api.aws';
/** The claim AWS STS nests its own claims under. */
export const AWS_NAMESPACE = 'https://sts.amazonaws.com/';
const YANDEX_HOSTS = [
  'auth.yandex.cloud',
  'auth.cloud.yandex.com',
  'auth.cloud.yandex.ru',
  'iam.api.cloud.yandex.net',
];

/**
 * Guesses which token source issued a payload, to explain its claims in that source's terms.
 *
 * By issuer first: accounts.google.com (with or without https) is google,
 * token.actions.githubusercontent.com github, gitlab.com gitlab, the Yandex Cloud auth and IAM
 * hosts yandex, kubernetes.default.svc... or the legacy "kubernetes/serviceaccount" kubernetes,
 * `<id>.tokens.sts.global.api.aws` aws (IAM outbound identity federation).
 * Then by content: a `kubernetes.io` claim or a system:serviceaccount subject is kubernetes,
 * an `https://sts.amazonaws.com/` claim aws,
 * `project_path` or `pipeline_id` gitlab (self-managed instances), a `repository` with a
 * `workflow_ref` github (GitHub Enterprise Server), and the audience of a key-signed assertion
 * sent to Google's or Yandex's token endpoint google or yandex. The CI systems: agent.buildkite.com
 * (or `organization_slug` with `pipeline_slug`) buildkite, oidc.circleci.com (or an
 * `oidc.circleci.com/project-id` claim) circleci, Bitbucket's workspace issuer (or
 * `repositoryUuid` with `stepUuid`) bitbucket, vstoken.dev.azure.com (or an `sc://` subject)
 * azure-devops; Microsoft Entra's issuers entra.
 */
export function detectIssuerFamily(
  payload: Readonly<Record<string, unknown>>,
): IssuerFamily | undefined {
  const iss = own(payload, 'iss');
  if (typeof iss === 'string') {
    const host = hostOf(iss.trim());
    if (host === 'accounts.google.com') return 'google';
    if (host === 'token.actions.githubusercontent.com') return 'github';
    if (host === 'gitlab.com') return 'gitlab';
    if (YANDEX_HOSTS.some((name) => host === name || host.endsWith(`.${name}`))) return 'yandex';
    if (host.startsWith('kubernetes.default.svc') || iss === 'kubernetes/serviceaccount') {
      return 'kubernetes';
    }
    if (host.endsWith(AWS_ISSUER_SUFFIX)) return 'aws';
    if (host === 'agent.buildkite.com') return 'buildkite';
    if (host === 'oidc.circleci.com') return 'circleci';
    if (host === 'api.bitbucket.org' && iss.includes(BITBUCKET_ISSUER_PATH)) return 'bitbucket';
    if (host === 'vstoken.dev.azure.com') return 'azure-devops';
    if (ENTRA_ISSUER_HOSTS.has(host)) return 'entra';
  }
  const sub = own(payload, 'sub');
  if (
    Object.hasOwn(payload, 'kubernetes.io') ||
    (typeof sub === 'string' && sub.startsWith('system:serviceaccount:'))
  ) {
    return 'kubernetes';
  }
  if (Object.hasOwn(payload, AWS_NAMESPACE)) return 'aws';
  if (Object.hasOwn(payload, 'project_path') || Object.hasOwn(payload, 'pipeline_id')) {
    return 'gitlab';
  }
  if (Object.hasOwn(payload, 'repository') && Object.hasOwn(payload, 'workflow_ref')) {
    return 'github';
  }
  if (Object.hasOwn(payload, 'organization_slug') && Object.hasOwn(payload, 'pipeline_slug')) {
    return 'buildkite';
  }
  if (Object.hasOwn(payload, 'oidc.circleci.com/project-id')) return 'circleci';
  if (Object.hasOwn(payload, 'repositoryUuid') && Object.hasOwn(payload, 'stepUuid')) {
    return 'bitbucket';
  }
  if (typeof sub === 'string' && sub.startsWith('sc://')) return 'azure-devops';
  const audiences = [own(payload, 'aud')].flat().filter((aud) => typeof aud === 'string');
  if (audiences.includes(GOOGLE_ASSERTION_AUDIENCE)) return 'google';
  if (audiences.some((aud) => YANDEX_HOSTS.includes(hostOf(aud)))) return 'yandex';
  return undefined;
}

/** Lower-case host of an issuer or audience, also when it lacks a scheme; '' when unparsable. */
function hostOf(text: string): string {
  const url = /^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/** A property of the object itself, never one inherited from its prototype. */
export function own(obj: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}
