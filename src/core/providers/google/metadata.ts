import { TokenExplorerError } from '../../errors';
import { type Remedy, withRemedies } from '../../remedies';
import { expiryOf } from './tokenResponses';
import type { Account, MintedToken, Provider } from '../provider';
import { EMAIL } from './settings';
import { assertSettingsValid } from '../settings';
import { metadataBaseUrl, metadataGet, statusError, withScheme } from './metadataServer';

/**
 * The `google-metadata` provider: ID tokens from the metadata server's `identity` endpoint of the
 * attached service account. Talking to the server and its error texts: `metadataServer.ts`.
 */

/** The settings of a `google-metadata` account, read leniently (validate reports problems). */
interface MetadataSettings {
  readonly endpoint?: string;
  readonly serviceAccount: string;
  readonly format: 'full' | 'standard';
  readonly licenses: boolean;
}

function readSettings(account: Account): MetadataSettings {
  const { endpoint, serviceAccount, format, licenses } = account.settings;
  return {
    ...(typeof endpoint === 'string' && endpoint.trim() ? { endpoint: endpoint.trim() } : {}),
    serviceAccount:
      typeof serviceAccount === 'string' && serviceAccount.trim()
        ? serviceAccount.trim()
        : 'default',
    format: format === 'standard' ? 'standard' : 'full',
    licenses: licenses === true,
  };
}

/** The minted token from a body that must be exactly one JWT with an `exp`. */
function tokenFromBody(text: string, url: string): MintedToken {
  const token = text.trim();
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
    throw new TokenExplorerError(
      'bad-response',
      `The metadata server at ${url} answered something that is not a JWT (${text.length} characters). Check the endpoint setting.`,
    );
  }
  const exp = expiryOf(token);
  if (exp === undefined) {
    throw new TokenExplorerError(
      'bad-response',
      `The metadata server at ${url} answered a token without a readable exp claim.`,
    );
  }
  return { token, expiresAt: Math.round(exp * 1000) };
}

/** Keeps `@` readable in the path, as the official clients send it. */
function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@');
}

/** The identity URL for an account and audience. */
function identityUrl(
  base: string,
  settings: { serviceAccount: string; format: 'full' | 'standard'; licenses: boolean },
  audience: string,
): string {
  const query = new URLSearchParams({ audience, format: settings.format });
  if (settings.format === 'full' && settings.licenses) query.set('licenses', 'TRUE');
  const account = pathSegment(settings.serviceAccount);
  return `${base}/computeMetadata/v1/instance/service-accounts/${account}/identity?${query}`;
}

/**
 * `format=standard` tokens carry no `email`/`email_verified` (Compute Engine docs, "Verify the
 * identity of instances"; google-auth-library-nodejs PR #874): IAP and services that authorise by
 * email reject them.
 */
const STANDARD_FORMAT_WARNING =
  'Metadata server: this account asks for token format "standard", whose tokens carry no email (and no email_verified); IAP and services that check the caller\'s email reject them. Use format "full" (the default) unless the receiver wants the short form.';

/** Off Google Cloud there is no metadata server: another method, or an emulator's endpoint. */
const UNREACHABLE: readonly Remedy[] = [
  { kind: 'retry' },
  { kind: 'switchMethod' },
  { kind: 'editAccountSettings' },
];

/** Mints an ID token from the metadata server of the GCE VM, Cloud Run service, GKE pod, … */
export const metadataProvider: Provider = {
  kind: 'google-metadata',
  label: 'Google Cloud: metadata server',

  async mint(account, request, context) {
    assertSettingsValid(metadataProvider.validate(account), account);
    const settings = readSettings(account);
    const base = metadataBaseUrl(context, settings.endpoint);
    const url = identityUrl(base, settings, request.audience);
    if (settings.format === 'standard') context.logger.warn(STANDARD_FORMAT_WARNING);
    const answer = await metadataGet(context, url, context.timeoutMs, request.signal).catch(
      (error: unknown) => {
        throw withRemedies(error, UNREACHABLE, ['network', 'timeout']);
      },
    );
    const shownUrl = url.split('?')[0] ?? url;
    if (answer.status !== 200) throw statusError(answer, shownUrl, settings.serviceAccount);
    return tokenFromBody(answer.text, shownUrl);
  },

  validate(account) {
    const problems: string[] = [];
    const { endpoint, serviceAccount, format, licenses } = account.settings;
    if (endpoint !== undefined) {
      if (typeof endpoint !== 'string' || !URL.canParse(withScheme(endpoint.trim()))) {
        problems.push('The endpoint must be a host (e.g. 127.0.0.1:8080) or an http(s) URL.');
      } else if (/\/computeMetadata/i.test(endpoint)) {
        problems.push('The endpoint is the server only, without /computeMetadata/v1.');
      }
    }
    if (
      serviceAccount !== undefined &&
      (typeof serviceAccount !== 'string' ||
        (serviceAccount.trim() !== 'default' &&
          serviceAccount.trim() !== '' &&
          !EMAIL.test(serviceAccount.trim())))
    ) {
      problems.push('The service account must be "default" or a service account email.');
    }
    if (format !== undefined && format !== 'full' && format !== 'standard') {
      problems.push('The token format must be "full" or "standard".');
    }
    if (licenses !== undefined && typeof licenses !== 'boolean') {
      problems.push('"licenses" must be true or false.');
    } else if (licenses === true && format === 'standard') {
      problems.push('License codes are only included in the "full" token format.');
    }
    return problems;
  },

  describe(account) {
    const { endpoint, serviceAccount, format } = readSettings(account);
    const who = serviceAccount === 'default' ? 'default service account' : serviceAccount;
    const standard = format === 'standard' ? ' (format standard: no email, IAP rejects it)' : '';
    return `Metadata server: ${who}${endpoint ? ` at ${endpoint}` : ''}${standard}`;
  },
};
