import type { ErrorCode } from '../errors';
import { INSTALL_PAGES, type Remedy } from '../remedies';

/**
 * The official tools' texts for the failures users meet, where each comes from, and what to tell
 * the user. Providers look a tool's error output up here (case-insensitively: gcloud has spelt
 * some texts differently across releases) and put the row's advice after the quoted output.
 * Rows are tried in order; the first match wins, so specific texts come before general ones.
 */

/** What the advice may name: the signed-in account and the account being impersonated. */
export interface AdviceContext {
  /** The account the tool acts as (gcloud `[ACCOUNT]`), when known. */
  readonly account?: string;
  /** The target of an impersonation chain, when impersonating. */
  readonly target?: string;
  /** Kubernetes: the namespace and service account asked for, and the context. */
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly context?: string;
  /** AWS: the named profile (`--profile`), when the account sets one. */
  readonly profile?: string;
}

/** One text of an official tool and the advice that goes with it. */
export interface OfficialText {
  readonly id: string;
  readonly tool: 'gcloud' | 'kubernetes' | 'aws';
  /** What the tool prints; no nested quantifiers (linear on any input). */
  readonly says: RegExp;
  /** Where the text comes from: the tool's source file, or a public report quoting it. */
  readonly source: string;
  readonly code: ErrorCode;
  advice(context: AdviceContext): string;
  /** What fixes it beyond the advice (a command to copy), when something does. */
  remedies?(context: AdviceContext): Remedy[];
}

const TOKEN_CREATOR = 'roles/iam.serviceAccountTokenCreator';

/** A gcloud account is a service account when its email is one. */
export function isServiceAccountEmail(email: string | undefined): boolean {
  return email !== undefined && /\.gserviceaccount\.com$/i.test(email);
}

/** The IAM member of an account (`user:` or `serviceAccount:`). */
export function iamMember(email: string | undefined): string {
  if (!email) return 'user:YOUR_EMAIL';
  return `${isServiceAccountEmail(email) ? 'serviceAccount' : 'user'}:${email}`;
}

/** The gcloud command that grants the Token Creator role on the target to the account. */
function grantCommand({ account, target }: AdviceContext): string {
  return `gcloud iam service-accounts add-iam-policy-binding ${target ?? 'SERVICE_ACCOUNT'} --member=${iamMember(account)} --role=${TOKEN_CREATOR}`;
}

function grantTokenCreator(context: AdviceContext): string {
  const on = context.target ?? 'SERVICE_ACCOUNT';
  return `gcloud auth print-identity-token --impersonate-service-account first mints an access token for ${on}, which needs ${TOKEN_CREATOR} (roles/iam.serviceAccountOpenIdTokenCreator is not enough). Check the email, and grant the role on ${on}: ${grantCommand(context)}`;
}

/** Copying the grant: the user runs it (as someone who may grant roles), never us. */
function copyGrant(context: AdviceContext): Remedy[] {
  return [{ kind: 'copyCommand', command: grantCommand(context), label: 'Copy Grant Command' }];
}

/** Copying a command to run in a terminal (gcloud's sign-in needs one). */
function copyCommand(command: string): Remedy[] {
  return [{ kind: 'copyCommand', command, label: 'Copy Command' }];
}

/** The account's own settings (region, tags, duration) are what is wrong. */
const EDIT_ACCOUNT: Remedy[] = [{ kind: 'editAccountSettings' }];

/** `gcloud auth login` for a user; a service account is activated again with a (new) key. */
function signInAgain({ account }: AdviceContext, why: string): string {
  if (isServiceAccountEmail(account)) {
    return `${why} ${account} is a service account: \`gcloud auth login\` does not apply. Activate it again with a valid key: ${signInCommand({ account })}`;
  }
  return `${why} Run \`${signInCommand({ account })}\` in a terminal, then try again.`;
}

/** The command that signs the account in again: a key for a service account, else a login. */
function signInCommand({ account }: AdviceContext): string {
  return isServiceAccountEmail(account)
    ? `gcloud auth activate-service-account ${account} --key-file=KEY.json`
    : `gcloud auth login${account ? ` ${account}` : ''}`;
}

/** How to name the profile in AWS CLI advice: ` --profile P`, or nothing for the default one. */
function profileFlag({ profile }: AdviceContext): string {
  return profile ? ` --profile ${profile}` : '';
}

const STS_API = 'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html';

/**
 * STS GetWebIdentityToken's errors and the credential failures before it, as the aws CLI prints
 * them ("An error occurred (CODE) when calling the GetWebIdentityToken operation: MESSAGE") and as
 * the native path words them (the same "(CODE)").
 */
const AWS_TEXTS: readonly OfficialText[] = [
  {
    id: 'aws-federation-disabled',
    tool: 'aws',
    says: /OutboundWebIdentityFederationDisabled/i,
    source: `${STS_API} Errors: OutboundWebIdentityFederationDisabled, HTTP 403, "The outbound web identity federation feature is not enabled for this account"; enabling: IAM API EnableOutboundWebIdentityFederation`,
    code: 'bad-config',
    advice: (context) =>
      `Outbound identity federation is off for this AWS account. An administrator enables it once per account (IAM console → Account settings, or \`aws iam enable-outbound-web-identity-federation${profileFlag(context)}\`); \`aws iam get-outbound-web-identity-federation-info\` then shows the account's issuer URL (https://<id>.tokens.sts.global.api.aws) to trust in the external service.`,
    remedies: (context) =>
      copyCommand(`aws iam enable-outbound-web-identity-federation${profileFlag(context)}`),
  },
  {
    id: 'aws-payload-too-large',
    tool: 'aws',
    says: /JWTPayloadSizeExceeded/i,
    source: `${STS_API} Errors: JWTPayloadSizeExceeded, HTTP 400, "Reduce the number of request tags included in the GetWebIdentityToken API call"`,
    code: 'bad-config',
    advice: () =>
      'The token would be too large. Remove or shorten request tags (the account\'s "tags" setting); the principal\'s own tags are in the token too.',
    remedies: () => EDIT_ACCOUNT,
  },
  {
    id: 'aws-duration-escalation',
    tool: 'aws',
    says: /SessionDurationEscalation/i,
    source: `${STS_API} Errors: SessionDurationEscalation, HTTP 403, "The requested token duration would extend the session beyond its original expiration time"`,
    code: 'bad-config',
    advice: (context) =>
      `The token would outlive the temporary credentials that ask for it. Lower "durationSeconds" in the account (60-3600, default 300), or start a fresh session first (\`aws sso login${profileFlag(context)}\`, or assume the role again).`,
    remedies: (context) => [
      ...EDIT_ACCOUNT,
      ...copyCommand(`aws sso login${profileFlag(context)}`),
    ],
  },
  {
    id: 'aws-access-denied',
    tool: 'aws',
    says: /AccessDenied|not authorized to perform: sts:GetWebIdentityToken/i,
    source:
      'IAM user guide, "Getting started with outbound identity federation": the principal needs an identity policy allowing sts:GetWebIdentityToken',
    code: 'permission-denied',
    advice: () =>
      'The AWS principal may not call sts:GetWebIdentityToken. Attach a policy to its role or user allowing it, e.g. {"Effect": "Allow", "Action": "sts:GetWebIdentityToken", "Resource": "*"}; an SCP or permissions boundary may also deny it.',
  },
  {
    id: 'aws-sso-expired',
    tool: 'aws',
    says: /Token has expired and refresh failed|SSO session associated with this profile has expired|Error loading SSO Token|The SSO session token/i,
    source:
      'aws-cli botocore/utils.py SSOTokenLoader / exceptions.py UnauthorizedSSOTokenError ("The SSO session associated with this profile has expired or is otherwise invalid"); @aws-sdk/token-providers "Token is expired" / credential-provider-sso',
    code: 'bad-credentials',
    advice: (context) =>
      `The IAM Identity Center (SSO) sign-in has expired. Run \`aws sso login${profileFlag(context)}\` in a terminal, then try again.`,
    remedies: (context) => copyCommand(`aws sso login${profileFlag(context)}`),
  },
  {
    id: 'aws-profile-missing',
    tool: 'aws',
    says: /config profile \([^)]*\) could not be found|Profile [^ ]+ could not be found/i,
    source:
      'aws-cli botocore/exceptions.py ProfileNotFound: "The config profile ({profile}) could not be found"; @aws-sdk/credential-provider-ini "Profile NAME could not be found in shared credentials file."',
    code: 'bad-config',
    advice: () =>
      'The AWS profile does not exist in ~/.aws/config or ~/.aws/credentials. Check `aws configure list-profiles`, or create it with `aws configure --profile NAME` / `aws configure sso`.',
    remedies: (context) => [
      ...EDIT_ACCOUNT,
      ...copyCommand(`aws configure${profileFlag(context)}`),
    ],
  },
  {
    id: 'aws-no-credentials',
    tool: 'aws',
    says: /Unable to locate credentials|Could not load credentials from any providers/i,
    source:
      'aws-cli botocore/exceptions.py NoCredentialsError: "Unable to locate credentials"; @aws-sdk/credential-provider-node defaultProvider: "Could not load credentials from any providers"',
    code: 'no-credentials',
    advice: (context) =>
      `No AWS credentials were found (environment, ~/.aws profiles, SSO cache, container or instance role). Run \`aws configure${profileFlag(context)}\` or \`aws sso login${profileFlag(context)}\`, or start VS Code where AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE are set.`,
    remedies: (context) => copyCommand(`aws configure${profileFlag(context)}`),
  },
  {
    id: 'aws-expired-credentials',
    tool: 'aws',
    says: /ExpiredToken|RequestExpired|security token included in the request is expired|Signature expired|Signature not yet current/i,
    source:
      'STS API Reference, Common Errors: ExpiredTokenException / RequestExpired ("The request reached the service more than 15 minutes after the date stamp")',
    code: 'bad-credentials',
    advice: (context) =>
      `The AWS credentials have expired (or the computer's clock is off by more than 15 minutes). Refresh them (\`aws sso login${profileFlag(context)}\`, or new session credentials) and check the clock.`,
    remedies: (context) => copyCommand(`aws sso login${profileFlag(context)}`),
  },
  {
    id: 'aws-invalid-credentials',
    tool: 'aws',
    says: /InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient/i,
    source:
      'STS API Reference, Common Errors: InvalidClientTokenId ("The X.509 certificate or AWS access key ID provided does not exist"), SignatureDoesNotMatch',
    code: 'bad-credentials',
    advice: () =>
      'AWS did not accept the credentials: the access key does not exist (deleted, or from another partition) or the secret key is wrong. Check the profile with `aws sts get-caller-identity`.',
  },
  {
    id: 'aws-region-missing',
    tool: 'aws',
    says: /You must specify a region/i,
    source: 'aws-cli botocore/exceptions.py NoRegionError: "You must specify a region."',
    code: 'bad-config',
    advice: () =>
      'GetWebIdentityToken is served only by regional STS endpoints. Set "region" in the account, or a region in the profile (`aws configure set region us-east-1`).',
    remedies: () => EDIT_ACCOUNT,
  },
  {
    id: 'aws-cli-outdated',
    tool: 'aws',
    says: /Invalid choice[^\n]*get-web-identity-token|argument operation: Invalid choice/i,
    source:
      'aws-cli awscli/argparser.py: "argument operation: Invalid choice, valid choices are:" for an operation the installed CLI does not know (get-web-identity-token arrived in November 2025)',
    code: 'cli-failed',
    advice: () =>
      'The installed aws CLI predates GetWebIdentityToken (November 2025). Update AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), or set "method" to "sdk" in the account.',
    remedies: () => [
      { kind: 'openUrl', url: INSTALL_PAGES.aws, label: 'Install Guide' },
      { kind: 'setAccountSetting', key: 'method', value: 'sdk', label: 'Use the SDK Method' },
    ],
  },
];

export const OFFICIAL_TEXTS: readonly OfficialText[] = [
  {
    id: 'gcloud-impersonation-denied',
    tool: 'gcloud',
    says: /Failed to impersonate \[|iam\.serviceAccounts\.getAccessToken/i,
    source:
      'Cloud SDK googlecloudsdk/api_lib/iamcredentials/util.py, GetElevationAccessTokenGoogleAuth: "Failed to impersonate [{service_acc}]. Make sure the account that\'s trying to impersonate it has access to the service account itself and the "roles/iam.serviceAccountTokenCreator" role." followed by IAM\'s "Permission \'iam.serviceAccounts.getAccessToken\' denied on resource (or it may not exist)."',
    code: 'permission-denied',
    advice: (context) =>
      `${context.account ?? 'Your gcloud account'} may not impersonate ${context.target ?? 'the service account'}, or it does not exist. ${grantTokenCreator(context)}`,
    remedies: copyGrant,
  },
  {
    id: 'gcloud-user-audience',
    tool: 'gcloud',
    says: /Invalid account type for `--audiences`/i,
    source:
      'Cloud SDK surface/auth/print_identity_token.py: WrongAccountTypeError "Invalid account type for `--audiences`. Requires valid service account." (older releases: "Invalid account Type")',
    code: 'user-account-audience',
    advice: (context) =>
      `Google issues ID tokens with a custom audience only to service accounts, and the gcloud account is a user. Set a service account to impersonate, or leave the audience empty for your own user ID token. ${grantTokenCreator(context)}`,
  },
  {
    id: 'gcloud-key-revoked',
    tool: 'gcloud',
    says: /invalid_grant: Invalid JWT Signature/i,
    source:
      'Cloud SDK googlecloudsdk/core/credentials/store.py TokenRefreshError "There was a problem refreshing your current auth tokens: {}" around the token endpoint\'s OAuth error (google-auth _helpers/_client: "invalid_grant: Invalid JWT Signature.") for a deleted or disabled key',
    code: 'bad-credentials',
    advice: ({ account }) =>
      `Google no longer accepts the key of ${account ?? 'the service account'}: it was deleted or disabled (or the key file is not the one Google has). Create a new key (gcloud iam service-accounts keys create KEY.json --iam-account=${account ?? 'SERVICE_ACCOUNT'}) and activate it: gcloud auth activate-service-account ${account ?? 'SERVICE_ACCOUNT'} --key-file=KEY.json. \`gcloud auth login\` does not apply to a service account.`,
  },
  {
    id: 'gcloud-reauthentication',
    tool: 'gcloud',
    says: /Reauthentication (required|failed)|to complete reauthentication/i,
    source:
      'Cloud SDK googlecloudsdk/core/credentials/store.py WebLoginRequiredReauthError "Please run:\\n\\n  $ gcloud auth login\\n\\nto complete reauthentication." and google-auth reauth.py "Reauthentication failed. cannot prompt during non-interactive execution."',
    code: 'bad-credentials',
    advice: ({ account }) =>
      `Your organisation asks you to sign in again (reauthentication), which gcloud cannot do without a terminal. Run \`gcloud auth login${account ? ` ${account}` : ''}\` in a terminal, then try again.`,
    remedies: ({ account }) => copyCommand(`gcloud auth login${account ? ` ${account}` : ''}`),
  },
  {
    id: 'gcloud-no-active-account',
    tool: 'gcloud',
    says: /You do not currently have an active account selected/i,
    source:
      'Cloud SDK googlecloudsdk/core/credentials/store.py NoActiveAccountException: "You do not currently have an active account selected."',
    code: 'bad-credentials',
    advice: () =>
      'Run `gcloud auth login` in a terminal (or `gcloud config set account ACCOUNT`), then try again.',
    remedies: () => copyCommand('gcloud auth login'),
  },
  {
    id: 'gcloud-no-credentials',
    tool: 'gcloud',
    says: /does not have any valid credentials/i,
    source:
      'Cloud SDK googlecloudsdk/core/credentials/store.py NoCredentialsForAccountException: "Your current active account [{account}] does not have any valid credentials"',
    code: 'bad-credentials',
    advice: (context) => signInAgain(context, 'gcloud holds no credentials for this account.'),
    remedies: (context) => copyCommand(signInCommand(context)),
  },
  {
    id: 'gcloud-refresh-failed',
    tool: 'gcloud',
    says: /problem refreshing (your current )?auth tokens/i,
    source:
      'Cloud SDK googlecloudsdk/core/credentials/store.py TokenRefreshError: "There was a problem refreshing your current auth tokens: {}"',
    code: 'bad-credentials',
    advice: (context) => signInAgain(context, 'Your gcloud sign-in has expired or was revoked.'),
    remedies: (context) => copyCommand(signInCommand(context)),
  },
  {
    id: 'gcloud-list-denied',
    tool: 'gcloud',
    says: /iam\.serviceAccounts\.list/i,
    source:
      'IAM API error for projects.serviceAccounts.list: "Permission \'iam.serviceAccounts.list\' denied on resource (or it may not exist)."',
    code: 'permission-denied',
    advice: () =>
      'Listing service accounts needs roles/iam.serviceAccountViewer (or Viewer) on the project; you can still type the email yourself.',
  },
  {
    id: 'gcloud-permission-denied',
    tool: 'gcloud',
    says: /PERMISSION_DENIED|iam\.serviceAccounts\.getOpenIdToken/i,
    source:
      'google.rpc.Code PERMISSION_DENIED as gcloud prints API errors ("ERROR: (gcloud.GROUP.COMMAND) PERMISSION_DENIED: ...")',
    code: 'permission-denied',
    advice: (context) =>
      context.target
        ? `${context.account ?? 'Your gcloud account'} may not mint tokens for ${context.target}, or it does not exist. ${grantTokenCreator(context)}`
        : 'Google refused the request; the quoted message says which permission is missing.',
    remedies: (context) => (context.target ? copyGrant(context) : []),
  },
  {
    id: 'kubernetes-service-account-missing',
    tool: 'kubernetes',
    says: /serviceaccounts? "[^"]*" not found/i,
    source:
      'k8s.io/apimachinery pkg/api/errors NewNotFound: Status reason NotFound, details.kind "serviceaccounts", message `serviceaccounts "NAME" not found`',
    code: 'bad-config',
    advice: ({ serviceAccount, namespace, context }) =>
      `The service account "${serviceAccount ?? ''}" does not exist in ${namespace ? `the namespace "${namespace}"` : "the context's namespace"}${context ? ` of the cluster of context "${context}"` : ''}. Check the name with \`kubectl get serviceaccounts${namespace ? ` -n ${namespace}` : ''}${context ? ` --context ${context}` : ''}\`.`,
  },
  {
    id: 'kubernetes-namespace-missing',
    tool: 'kubernetes',
    says: /namespaces "[^"]*" not found/i,
    source:
      'k8s.io/apimachinery pkg/api/errors NewNotFound: details.kind "namespaces", message `namespaces "NAME" not found`',
    code: 'bad-config',
    advice: ({ namespace, context }) =>
      `The namespace "${namespace ?? ''}" does not exist in the cluster${context ? ` of context "${context}"` : ''}. Check the account's "namespace" (or the context's).`,
  },
  {
    id: 'kubernetes-token-request-missing',
    tool: 'kubernetes',
    says: /the server could not find the requested resource/i,
    source:
      'k8s.io/apimachinery pkg/api/errors NewGenericServerResponse(404): "the server could not find the requested resource" (no details.kind): the API server has no serviceaccounts/token subresource',
    code: 'bad-config',
    advice: () =>
      'The API server does not serve the TokenRequest API (the serviceaccounts/token subresource): it needs Kubernetes 1.22 or newer (1.20 and 1.21 with the TokenRequest feature), or "server" points at something that forwards only part of the API. Check `kubectl version` and `kubectl api-resources`.',
  },
  {
    id: 'kubernetes-plain-404',
    tool: 'kubernetes',
    says: /^404 page not found/i,
    source:
      'Go net/http NotFound: "404 page not found" (text/plain), what a Go proxy or a non-Kubernetes server answers for an unknown path',
    code: 'bad-config',
    advice: () =>
      'The answer is not from the Kubernetes API (no Status object): a proxy, a load balancer or another server answered. Check that "server" in the kubeconfig is the API server URL, including any path prefix a proxy (e.g. Rancher) needs.',
  },
  ...AWS_TEXTS,
];

/** The row with this id; throws on an unknown id (a programming error). */
export function officialText(id: string): OfficialText {
  const row = OFFICIAL_TEXTS.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`No official text "${id}"`);
  return row;
}

/** The first row of `tool` whose text occurs in `output`, if any. */
export function recogniseOfficialText(
  tool: OfficialText['tool'],
  output: string,
): OfficialText | undefined {
  return OFFICIAL_TEXTS.find((row) => row.tool === tool && row.says.test(output));
}
