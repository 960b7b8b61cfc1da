import { isNonBlankString, isNonEmptyString } from '../../guards';
import { TokenExplorerError } from '../../errors';
import { ADC_SIGN_IN } from './credentials';
import { httpFailure, postJson } from '../../http';
import type { Account, MintRequest, MintedToken, Provider, ProviderContext } from '../provider';
import type { AccessTokenSource } from './accessTokenSource';
import { adcAccessTokenSource } from './adc';
import { delegateResource } from './credentialFiles';
import { googleApiBase } from './endpoints';
import { mintedToken } from './tokenResponses';
import { assertSettingsValid } from '../settings';

const TOKEN_CREATOR = 'roles/iam.serviceAccountOpenIdTokenCreator';

/** The settings of a `google-impersonation` account. */
export interface ImpersonationSettings {
  /** Email or unique id of the service account whose ID tokens are minted. */
  readonly targetServiceAccount: string;
  /** Emails of the delegation chain, caller first. */
  readonly delegates: readonly string[];
  readonly includeEmail: boolean;
  /** An explicit credentials file instead of the ADC search order. */
  readonly credentialsFile?: string;
  /** The account's own endpoint; else the context's `iamcredentials` (./endpoints). */
  readonly iamCredentialsEndpoint?: string;
}

function settingProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const target = settings.targetServiceAccount;
  if (!isNonBlankString(target)) {
    problems.push('Set "targetServiceAccount" to the email or unique id of the service account.');
  } else if (!/^[^\s/:]+@[^\s/:]+$/.test(target) && !/^\d+$/.test(target)) {
    problems.push(
      `"targetServiceAccount" (${target}) is neither a service-account email nor a numeric unique id.`,
    );
  }
  const delegates = settings.delegates;
  if (
    delegates !== undefined &&
    !(Array.isArray(delegates) && delegates.every((d) => typeof d === 'string' && d !== ''))
  ) {
    problems.push('"delegates" must be a list of service-account emails.');
  }
  if (settings.includeEmail !== undefined && typeof settings.includeEmail !== 'boolean') {
    problems.push('"includeEmail" must be true or false.');
  }
  if (settings.credentialsFile !== undefined && typeof settings.credentialsFile !== 'string') {
    problems.push('"credentialsFile" must be a file path.');
  }
  const endpoint = settings.iamCredentialsEndpoint;
  if (endpoint !== undefined && (typeof endpoint !== 'string' || !URL.canParse(endpoint))) {
    problems.push('"iamCredentialsEndpoint" must be a URL.');
  }
  return problems;
}

/**
 * Reads the settings of a `google-impersonation` account, with defaults.
 * @throws TokenExplorerError `bad-config` listing what is wrong.
 */
export function readImpersonationSettings(account: Account): ImpersonationSettings {
  assertSettingsValid(settingProblems(account.settings), account);
  const s = account.settings;
  return {
    targetServiceAccount: (s.targetServiceAccount as string).trim(),
    delegates: (s.delegates as string[] | undefined) ?? [],
    includeEmail: (s.includeEmail as boolean | undefined) ?? true,
    ...(typeof s.credentialsFile === 'string' && s.credentialsFile !== ''
      ? { credentialsFile: s.credentialsFile }
      : {}),
    ...(typeof s.iamCredentialsEndpoint === 'string'
      ? { iamCredentialsEndpoint: s.iamCredentialsEndpoint.replace(/\/+$/, '') }
      : {}),
  };
}

function sameAccount(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** How the caller is named in `gcloud ... --member=`. */
function member(source: AccessTokenSource): string {
  const email = source.callerEmail;
  if (!email) return 'PRINCIPAL';
  return source.credentials.type === 'authorized_user'
    ? `user:${email}`
    : `serviceAccount:${email}`;
}

function callerName(source: AccessTokenSource): string {
  if (source.callerEmail) return source.callerEmail;
  return source.credentials.type === 'metadata'
    ? "the metadata server's service account"
    : 'your Application Default Credentials';
}

function explainFailure(
  error: unknown,
  settings: ImpersonationSettings,
  source: AccessTokenSource,
  url: string,
): never {
  const failure = httpFailure(error);
  const target = settings.targetServiceAccount;
  const caller = callerName(source);
  if (failure?.status === 403) {
    const grant = `gcloud iam service-accounts add-iam-policy-binding ${target} --member=${member(source)} --role=${TOKEN_CREATOR}`;
    const chain = settings.delegates.length
      ? ` Through the delegates ${settings.delegates.join(' → ')}, each account in the chain needs the role on the next one.`
      : '';
    throw new TokenExplorerError(
      'permission-denied',
      `${caller} may not mint ID tokens for ${target}: ${failure.description ?? 'permission denied'} Grant ${caller} ${TOKEN_CREATOR} (or roles/iam.serviceAccountTokenCreator) on ${target}, e.g. \`${grant}\`.${chain}`,
      {
        cause: error,
        remedies: [{ kind: 'copyCommand', command: grant, label: 'Copy Grant Command' }],
      },
    );
  }
  if (failure?.status === 404) {
    throw new TokenExplorerError(
      'bad-config',
      `The service account ${target} does not exist (or one of the delegates does not): ${url} answered 404. Check the email or unique id in the account settings.`,
      { cause: error, remedies: [{ kind: 'editAccountSettings' }] },
    );
  }
  if (failure?.status === 401) {
    throw new TokenExplorerError(
      'bad-credentials',
      `IAM Credentials rejected the access token of ${caller} (HTTP 401): your Application Default Credentials are invalid or expired. Run \`gcloud auth application-default login\`, then try again.`,
      { cause: error, remedies: [ADC_SIGN_IN] },
    );
  }
  throw error;
}

async function generateIdToken(
  settings: ImpersonationSettings & { readonly iamCredentialsEndpoint: string },
  audience: string,
  source: AccessTokenSource,
  context: ProviderContext,
  signal: AbortSignal | undefined,
): Promise<string> {
  const url = `${settings.iamCredentialsEndpoint}/v1/projects/-/serviceAccounts/${settings.targetServiceAccount}:generateIdToken`;
  const body = {
    audience,
    includeEmail: settings.includeEmail,
    delegates: settings.delegates.map(delegateResource),
  };
  for (let attempt = 1; ; attempt++) {
    const { accessToken } = await source.getAccessToken(signal);
    try {
      const answer = await postJson(context.fetch, url, body, {
        timeoutMs: context.timeoutMs,
        headers: { authorization: `Bearer ${accessToken}`, ...source.quotaProjectHeader },
        ...(signal ? { signal } : {}),
      });
      const token = (answer as { token?: unknown } | null)?.token;
      if (!isNonEmptyString(token)) {
        throw new TokenExplorerError('bad-response', `${url} answered without "token".`);
      }
      return token;
    } catch (error) {
      // A cached access token may have been revoked: one retry with a fresh one.
      if (httpFailure(error)?.status === 401 && attempt === 1) {
        source.invalidate();
        continue;
      }
      explainFailure(error, settings, source, url);
    }
  }
}

/**
 * Mints an ID token for a service account through IAM Credentials `generateIdToken`, with the
 * caller's Application Default Credentials.
 */
export async function mintImpersonatedIdToken(
  account: Account,
  request: MintRequest,
  context: ProviderContext,
): Promise<MintedToken> {
  const own = readImpersonationSettings(account);
  const configured = {
    ...own,
    iamCredentialsEndpoint: own.iamCredentialsEndpoint ?? googleApiBase(context, 'iamcredentials'),
  };
  const adc = await adcAccessTokenSource(
    context,
    configured.credentialsFile ? { credentialsFile: configured.credentialsFile } : {},
  );
  // An ADC file that impersonates the very account asked for: its source credentials call
  // generateIdToken through the file's delegates, as the official clients do.
  const through = adc.impersonation();
  const direct = through && sameAccount(through.target, configured.targetServiceAccount);
  const source = direct ? through.caller : adc;
  const settings = direct
    ? { ...configured, delegates: [...through.delegates, ...configured.delegates] }
    : configured;
  const token = await generateIdToken(settings, request.audience, source, context, request.signal);
  return mintedToken(token, settings.iamCredentialsEndpoint);
}

/** `google-impersonation`: ID tokens of a service account the ADC identity may impersonate. */
export const impersonationProvider: Provider = {
  kind: 'google-impersonation',
  label: 'Google Cloud: service-account impersonation',
  mint: mintImpersonatedIdToken,
  validate: (account) => settingProblems(account.settings),
  describe: (account) => {
    const target = account.settings.targetServiceAccount;
    const name = typeof target === 'string' && target !== '' ? target : '(no service account)';
    const delegates = account.settings.delegates;
    return Array.isArray(delegates) && delegates.length > 0
      ? `${name} (impersonated via ${delegates.length} delegate${delegates.length > 1 ? 's' : ''})`
      : `${name} (impersonated)`;
  },
};
