import { TokenExplorerError } from '../../errors';
import { type Remedy, missingCliRemedies } from '../../remedies';
import { isRecord } from '../../guards';
import { peekToken } from '../../jwt/peek';
import type { Environment } from '../../ports';
import { errorLines, excerpt, failureHead, jsonFromStdout, runCli } from '../cli';
import type { Account, MintedToken, Provider, ProviderContext } from '../provider';
import { nonTextSettings, optionalString } from '../settings';

/**
 * Azure access tokens, honestly labelled. Microsoft Entra issues no ID tokens to managed
 * identities or service principals; what an app behind App Service authentication (Easy Auth) or
 * API Management's validate-jwt accepts from them is an access token (a JWT) whose audience is the
 * app's resource (its Application ID URI or client id). The "audience" of this kind is that
 * resource.
 */

/** The managed-identity endpoints (Microsoft Entra docs, "How to use managed identities …"). */
const IMDS_HOST = 'http://169.254.169.254';
const IMDS_PATH = '/metadata/identity/oauth2/token';
/** https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token */
const IMDS_API_VERSION = '2018-02-01';
/** https://learn.microsoft.com/azure/app-service/overview-managed-identity ("REST endpoint reference"). */
const APP_SERVICE_API_VERSION = '2019-08-01';
/**
 * Where the Azure SDKs look for another IMDS host (azure-sdk-for-go apps/managedidentity,
 * azure-identity's ImdsManagedIdentitySource): used by pod identity and by emulators.
 */
const IMDS_HOST_VARIABLE = 'AZURE_POD_IDENTITY_AUTHORITY_HOST';
const MAX_EXCERPT = 200;

type Method = 'az' | 'managed-identity';

interface AzureSettings {
  readonly method?: Method;
  readonly tenant?: string;
  readonly clientId?: string;
}

function readSettings(account: Account): AzureSettings {
  const method = optionalString(account.settings.method);
  const tenant = optionalString(account.settings.tenant);
  const clientId = optionalString(account.settings.clientId);
  return {
    ...(method === 'az' || method === 'managed-identity' ? { method } : {}),
    ...(tenant ? { tenant } : {}),
    ...(clientId ? { clientId } : {}),
  };
}

/** App Service / Functions: both variables set by the platform (overview-managed-identity). */
export function appServiceIdentity(
  env: Pick<Environment, 'get'>,
): { endpoint: string; header: string } | undefined {
  const endpoint = env.get('IDENTITY_ENDPOINT')?.trim();
  const header = env.get('IDENTITY_HEADER')?.trim();
  return endpoint && header ? { endpoint, header } : undefined;
}

/**
 * When the token expires, in ms: the JWT's `exp` first (what the resource checks), else
 * `expires_on` as epoch seconds (number or digits: IMDS and App Service send a string, az ≥ 2.54 a
 * number, Azure/azure-cli PR 27476), else az's older `expiresOn`, a *local* date-time
 * "2021-09-27 16:16:30.921462" (Azure/azure-cli issue 19700).
 */
export function expiryOf(
  token: string,
  answer: Readonly<Record<string, unknown>>,
): number | undefined {
  try {
    const exp = peekToken(token).times.exp;
    if (exp !== undefined) return Math.round(exp * 1000);
  } catch {
    // Not a JWT: fall back on the answer's fields.
  }
  const epoch = answer.expires_on;
  if (typeof epoch === 'number' && Number.isFinite(epoch)) return epoch * 1000;
  if (typeof epoch === 'string' && /^\d{9,11}$/.test(epoch)) return Number(epoch) * 1000;
  const local = answer.expiresOn;
  if (typeof local === 'string') {
    const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(local);
    if (match) {
      const [, y, mo, d, h, mi, s] = match.map(Number);
      return new Date(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0).getTime();
    }
  }
  return undefined;
}

/** `az account get-access-token --resource R --output json [--tenant T]`. */
/**
 * Copying the sign-in that fixes an Azure CLI failure: the `az login …` line the CLI printed
 * itself (azure-cli prints e.g. "az login --scope https://…/.default" when a resource needs
 * consent or MFA), else `az login` for the account's tenant when it asked for a login at all.
 */
function azLoginRemedies(stderr: string, settings: AzureSettings): Remedy[] {
  const printed = /\baz login\b[^\n`'"]*/.exec(stderr)?.[0]?.trim();
  if (!printed) return [];
  const command = /--(?:tenant|scope)\b/.test(printed)
    ? printed
    : `${printed}${settings.tenant ? ` --tenant ${settings.tenant}` : ''}`;
  return [{ kind: 'copyCommand', command, label: 'Copy Sign-in Command' }];
}

async function viaAz(
  resource: string,
  settings: AzureSettings,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<MintedToken> {
  const file = context.azPath ?? 'az';
  const args = [
    'account',
    'get-access-token',
    '--resource',
    resource,
    '--output',
    'json',
    ...(settings.tenant ? ['--tenant', settings.tenant] : []),
  ];
  const command = `az ${args.join(' ')}`;
  const result = await runCli(
    context.runner,
    file,
    args,
    { timeoutMs: context.timeoutMs, signal },
    {
      notFoundRemedies: missingCliRemedies('az', 'tokenExplorer.az.path'),
      notFound: () =>
        `The Azure CLI (${file}) was not found. Install it (https://aka.ms/azure-cli) and run "az login", or set tokenExplorer.az.path.`,
      timeout: (seconds) =>
        `${command} did not finish within ${seconds} s. Run it in a terminal to see whether it waits for a sign-in.`,
    },
  );
  if (result.exitCode !== 0) {
    const lines = errorLines(result.stderr);
    const said = excerpt(lines);
    const hint = /az login/i.test(said)
      ? 'Run "az login" (with --tenant for another tenant), then try again.'
      : /AADSTS500011|resource principal/i.test(said)
        ? `No app in the tenant has the Application ID URI "${resource}": use the app's Application ID URI (api://…) or its client id, exactly as registered.`
        : /AADSTS65001|consent/i.test(said)
          ? 'The Azure CLI has no consent for that app: have an admin grant it, or call the app with a managed identity.'
          : 'Run the command in a terminal to see the whole error.';
    throw new TokenExplorerError(
      /az login/i.test(said) ? 'no-credentials' : 'cli-failed',
      `${failureHead(command, result, said)}${hint}`,
      { remedies: azLoginRemedies(result.stderr, settings) },
    );
  }
  const answer = jsonFromStdout(result.stdout, command);
  const token = isRecord(answer) ? answer.accessToken : undefined;
  if (!isRecord(answer) || typeof token !== 'string' || token.trim() === '') {
    throw new TokenExplorerError(
      'bad-response',
      `${command} printed JSON without an "accessToken". Update the Azure CLI.`,
    );
  }
  const expiresAt = expiryOf(token.trim(), answer);
  if (expiresAt === undefined) {
    throw new TokenExplorerError(
      'bad-response',
      `${command} printed no usable expiry (expires_on, expiresOn). Update the Azure CLI.`,
    );
  }
  return { token: token.trim(), expiresAt };
}

/** The endpoint's error, in its own words: `error_description` (or `message`), clipped. */
function said(text: string): string {
  let message = text;
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body)) {
      const d =
        body.error_description ??
        body.message ??
        (isRecord(body.error) ? body.error.message : body.error);
      if (typeof d === 'string') message = d;
    }
  } catch {
    // Not JSON: quote the text.
  }
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_EXCERPT ? `${flat.slice(0, MAX_EXCERPT)}…` : flat;
}

/**
 * The managed-identity endpoint: App Service / Functions when IDENTITY_ENDPOINT and
 * IDENTITY_HEADER are set (header `X-IDENTITY-HEADER`, api-version 2019-08-01), else IMDS
 * (header `Metadata: true`, api-version 2018-02-01). `client_id` picks a user-assigned identity.
 */
async function viaManagedIdentity(
  resource: string,
  settings: AzureSettings,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<MintedToken> {
  const appService = appServiceIdentity(context.env);
  const base =
    appService?.endpoint ??
    `${context.env.get(IMDS_HOST_VARIABLE)?.trim() || IMDS_HOST}${IMDS_PATH}`;
  if (!URL.canParse(base)) {
    throw new TokenExplorerError(
      'bad-config',
      `${appService ? 'IDENTITY_ENDPOINT' : IMDS_HOST_VARIABLE} does not hold a URL.`,
    );
  }
  const url = new URL(base);
  url.searchParams.set('api-version', appService ? APP_SERVICE_API_VERSION : IMDS_API_VERSION);
  url.searchParams.set('resource', resource);
  if (settings.clientId) url.searchParams.set('client_id', settings.clientId);
  const where = appService
    ? `the App Service identity endpoint (${url.origin})`
    : `the instance metadata service (${url.origin})`;
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await context.fetch(url.toString(), {
      headers: appService ? { 'x-identity-header': appService.header } : { metadata: 'true' },
      signal: combined,
    });
  } catch (error) {
    if (signal?.aborted)
      throw new TokenExplorerError('cancelled', `The request to ${where} was cancelled.`, {
        cause: error,
      });
    const offAzure = !appService
      ? ' Outside an Azure VM, scale set, container instance or AKS pod with a managed identity there is no such service: use the "az" method instead.'
      : '';
    if (timeout.aborted) {
      throw new TokenExplorerError(
        'timeout',
        `${where} did not answer within ${context.timeoutMs / 1000} s.${offAzure}`,
        { cause: error },
      );
    }
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new TokenExplorerError(
      'network',
      `Could not reach ${where}: ${cause?.code ?? String(error)}.${offAzure}`,
      { cause: error },
    );
  }
  const text = await response.text();
  if (response.status !== 200) {
    const quoted = said(text) ? `: "${said(text)}"` : '';
    const hint =
      response.status === 400 && /identity/i.test(text)
        ? settings.clientId
          ? ` No managed identity with client id ${settings.clientId} is assigned to this resource: check the client id, or clear it to use the system-assigned identity.`
          : ' No system-assigned identity here: enable it on the resource, or set the client id of a user-assigned one.'
        : response.status === 400 && /resource/i.test(text)
          ? ` Check the resource "${resource}": the app's Application ID URI or client id.`
          : response.status >= 500 || response.status === 429
            ? ' Try again in a moment.'
            : '';
    // A wrong client id is the account's setting; a missing identity is fixed on the resource.
    const wrongClient = response.status === 400 && /identity/i.test(text) && settings.clientId;
    throw new TokenExplorerError(
      response.status === 400 || response.status === 403 ? 'permission-denied' : 'http-status',
      `${where} answered HTTP ${response.status}${quoted}.${hint}`,
      { remedies: wrongClient ? [{ kind: 'editAccountSettings' }] : [] },
    );
  }
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new TokenExplorerError(
      'bad-response',
      `${where} did not answer with JSON (${text.length} characters).`,
    );
  }
  const token = isRecord(answer) ? answer.access_token : undefined;
  if (!isRecord(answer) || typeof token !== 'string' || token === '') {
    throw new TokenExplorerError('bad-response', `${where} answered without an "access_token".`);
  }
  const expiresAt = expiryOf(token, answer);
  if (expiresAt === undefined)
    throw new TokenExplorerError('bad-response', `${where} answered without a usable expires_on.`);
  return { token, expiresAt };
}

/**
 * Gets a Microsoft Entra access token for a resource (the request's audience), through the Azure
 * CLI or the managed-identity endpoint. Labelled "access token" everywhere (descriptor
 * `tokenType`): it is not an ID token, and only the resource it names should accept it.
 */
export const azureAccessTokenProvider: Provider = {
  kind: 'azure-access-token',
  label: 'Azure: access token (Entra)',

  async mint(account, request, context) {
    const problems = azureAccessTokenProvider.validate(account);
    if (problems.length > 0)
      throw new TokenExplorerError('bad-config', `Azure account: ${problems.join(' ')}`);
    const resource = request.audience.trim();
    if (!resource) {
      throw new TokenExplorerError(
        'bad-config',
        "An Azure access token is for one resource: give the app's Application ID URI (api://…) or client id as the audience (https://management.azure.com/ for Azure Resource Manager).",
      );
    }
    const settings = readSettings(account);
    return settings.method === 'az'
      ? viaAz(resource, settings, context, request.signal)
      : viaManagedIdentity(resource, settings, context, request.signal);
  },

  validate(account) {
    const problems = nonTextSettings(account.settings, ['method', 'tenant', 'clientId']);
    if (problems.length > 0) return problems;
    const { method } = readSettings(account);
    if (!method)
      problems.push(
        'Set "method": "az" (the Azure CLI) or "managed-identity" (IMDS or App Service).',
      );
    if (method === 'az' && account.settings.clientId !== undefined) {
      problems.push(
        '"clientId" picks a user-assigned managed identity; it does not apply to the "az" method.',
      );
    }
    if (method === 'managed-identity' && account.settings.tenant !== undefined) {
      problems.push(
        '"tenant" applies to the "az" method only; a managed identity belongs to its tenant.',
      );
    }
    return problems;
  },

  describe(account) {
    const { method, tenant, clientId } = readSettings(account);
    if (method === 'az') return `Azure CLI access token${tenant ? ` (tenant ${tenant})` : ''}`;
    return `Managed identity access token${clientId ? ` (client id ${clientId})` : ' (system-assigned)'}`;
  },
};
