import { TokenExplorerError } from '../../errors';
import type { Remedy } from '../../remedies';
import { isRecord } from '../../guards';
import type { Environment } from '../../ports';
import { jobTokenFrom, requireAudience } from '../jobToken';
import type { Account, Provider, ProviderContext } from '../provider';
import { nonTextSettings, optionalString } from '../settings';

/**
 * The job's OIDC request URI (`$(System.OidcRequestUri)`) and access token
 * (`$(System.AccessToken)`, which a YAML step must map into its environment explicitly), as
 * azure-identity's AzurePipelinesCredential reads them (azure-sdk-for-js
 * sdk/identity/identity/src/credentials/azurePipelinesCredential.ts; azure-sdk-for-python
 * azure/identity/_credentials/azure_pipelines.py).
 */
const URI_VARIABLE = 'SYSTEM_OIDCREQUESTURI';
const ACCESS_TOKEN_VARIABLE = 'SYSTEM_ACCESSTOKEN';
/** The API version azure-identity sends (it moved from 7.1-preview.1 to 7.1 in 2024). */
const API_VERSION = '7.1';
const SYSTEM = 'Azure Pipelines';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longest piece of the service's error text quoted in a message. */
const MAX_EXCERPT = 200;

/** Whether this process runs in an Azure Pipelines job that may request OIDC tokens. */
export function azurePipelinesAvailable(env: Pick<Environment, 'get'>): boolean {
  return Boolean(env.get(URI_VARIABLE)?.trim() && env.get(ACCESS_TOKEN_VARIABLE)?.trim());
}

/** `base` without trailing slashes (a loop: a regular expression would be quadratic). */
function trimSlashes(base: string): string {
  let end = base.length;
  while (end > 0 && base[end - 1] === '/') end--;
  return base.slice(0, end);
}

/** The request as azure-identity builds it: `?api-version=7.1&serviceConnectionId=…`. */
export function oidcRequestUrl(base: string, serviceConnectionId: string): string {
  return `${trimSlashes(base)}?api-version=${API_VERSION}&serviceConnectionId=${encodeURIComponent(serviceConnectionId)}`;
}

/** The service's own words: the `message` of its JSON error, clipped, the access token blanked. */
function said(text: string, accessToken: string): string {
  let message = text;
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON: quote the text.
  }
  const flat = message.split(accessToken).join('***').replace(/\s+/g, ' ').trim();
  return flat.length > MAX_EXCERPT ? `${flat.slice(0, MAX_EXCERPT)}…` : flat;
}

/**
 * Copying the step's mapping of the job's access token (Azure Pipelines docs, "Use predefined
 * variables": System.AccessToken is passed to a script step only through `env:`).
 */
const MAP_ACCESS_TOKEN: Remedy = {
  kind: 'copyText',
  text: `env:\n  ${ACCESS_TOKEN_VARIABLE}: $(System.AccessToken)\n`,
  label: 'Copy env Mapping',
  pasteInto: 'the step of your pipeline',
};

function statusError(status: number, text: string, origin: string, accessToken: string) {
  const quoted = said(text, accessToken) ? `: "${said(text, accessToken)}"` : '';
  if (status === 401 || status === 203) {
    return new TokenExplorerError(
      'bad-credentials',
      `Azure DevOps at ${origin} refused the job's access token (HTTP ${status}${quoted}). ${ACCESS_TOKEN_VARIABLE} must hold $(System.AccessToken) of a running job: map it in the step (env: ${ACCESS_TOKEN_VARIABLE}: $(System.AccessToken)) and re-run the job.`,
      { remedies: [MAP_ACCESS_TOKEN] },
    );
  }
  if (status === 400 || status === 403 || status === 404) {
    return new TokenExplorerError(
      'permission-denied',
      `Azure DevOps at ${origin} refused to mint an OIDC token (HTTP ${status}${quoted}). Check the service connection id (Project settings › Service connections, the resourceId in its URL), that it uses workload identity federation, and that this pipeline is allowed to use it.`,
      { remedies: [{ kind: 'editAccountSettings' }] },
    );
  }
  return new TokenExplorerError(
    'http-status',
    `Azure DevOps at ${origin} answered HTTP ${status}${quoted}.${status >= 500 || status === 429 ? ' Try again in a moment.' : ''}`,
  );
}

function serviceConnectionOf(account: Account): string | undefined {
  return optionalString(account.settings.serviceConnectionId);
}

/** POSTs the token request; the answer's status and text. */
async function requestToken(
  context: ProviderContext,
  url: string,
  accessToken: string,
  signal: AbortSignal | undefined,
): Promise<{ status: number; text: string }> {
  const origin = new URL(url).origin;
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const response = await context.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${accessToken}`,
        // Asks for a status instead of a sign-in redirect (azure-identity sends it too).
        'x-tfs-fedauthredirect': 'Suppress',
      },
      redirect: 'manual',
      signal: combined,
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    if (signal?.aborted) {
      throw new TokenExplorerError(
        'cancelled',
        `The OIDC token request to ${origin} was cancelled.`,
        { cause: error },
      );
    }
    if (timeout.aborted) {
      throw new TokenExplorerError(
        'timeout',
        `Azure DevOps at ${origin} did not answer within ${context.timeoutMs / 1000} s. Check the agent's network or proxy, then try again.`,
        { cause: error },
      );
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new TokenExplorerError(
      'network',
      `Could not reach Azure DevOps at ${origin}: ${cause?.code ?? cause?.message ?? String(error)}.`,
      { cause: error },
    );
  }
}

/**
 * Mints an Azure Pipelines OIDC token for a service connection: POST to the job's
 * `SYSTEM_OIDCREQUESTURI` with `api-version=7.1&serviceConnectionId=…` and the job's access token
 * as bearer; the answer is `{"oidcToken": "<jwt>"}` (REST "Oidctoken - Create",
 * https://learn.microsoft.com/rest/api/azure/devops/distributedtask/oidctoken/create). The audience
 * is fixed by Azure DevOps (`api://AzureADTokenExchange`): another one is refused.
 */
export const azurePipelinesProvider: Provider = {
  kind: 'azure-pipelines',
  label: 'Azure Pipelines: service connection OIDC token',

  async mint(account, request, context) {
    const problems = azurePipelinesProvider.validate(account);
    if (problems.length > 0) {
      throw new TokenExplorerError('bad-config', `Azure Pipelines account: ${problems.join(' ')}`);
    }
    const base = context.env.get(URI_VARIABLE)?.trim();
    const accessToken = context.env.get(ACCESS_TOKEN_VARIABLE)?.trim();
    if (!base || !accessToken) {
      const missing = [!base && URI_VARIABLE, !accessToken && ACCESS_TOKEN_VARIABLE].filter(
        Boolean,
      );
      throw new TokenExplorerError(
        'no-credentials',
        `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set. Azure Pipelines sets ${URI_VARIABLE} in every job; ${ACCESS_TOKEN_VARIABLE} only where a step maps it (env: ${ACCESS_TOKEN_VARIABLE}: $(System.AccessToken)). Run VS Code (or code-server) from such a step.`,
        { remedies: accessToken ? [] : [MAP_ACCESS_TOKEN] },
      );
    }
    if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) {
      throw new TokenExplorerError(
        'bad-config',
        `${URI_VARIABLE} does not hold an http(s) URL; Azure Pipelines sets it and it should not be changed.`,
      );
    }
    const url = oidcRequestUrl(base, serviceConnectionOf(account) ?? '');
    const origin = new URL(url).origin;
    const answer = await requestToken(context, url, accessToken, request.signal);
    if (answer.status !== 200) throw statusError(answer.status, answer.text, origin, accessToken);
    let value: unknown;
    try {
      const body: unknown = JSON.parse(answer.text);
      value = isRecord(body) ? body.oidcToken : undefined;
    } catch {
      throw new TokenExplorerError(
        'bad-response',
        `Azure DevOps at ${origin} did not answer with JSON (${answer.text.length} characters).`,
      );
    }
    if (typeof value !== 'string') {
      throw new TokenExplorerError(
        'bad-response',
        `Azure DevOps at ${origin} answered without a token in its "oidcToken" field.`,
      );
    }
    const token = jobTokenFrom(
      value,
      `the answer of ${origin}`,
      SYSTEM,
      context.clock,
      'Request a new one.',
    );
    requireAudience(
      token,
      request.audience.trim(),
      'the Azure Pipelines answer',
      'Azure DevOps sets the audience itself (api://AzureADTokenExchange, what Entra federated credentials expect); it cannot be chosen.',
    );
    return { token: token.token, expiresAt: token.expiresAt };
  },

  validate(account) {
    const problems = nonTextSettings(account.settings, ['serviceConnectionId']);
    if (problems.length > 0) return problems;
    const id = serviceConnectionOf(account);
    if (!id) {
      problems.push(
        'Set "serviceConnectionId": the id of the service connection (Project settings › Service connections; the resourceId in its URL).',
      );
    } else if (!GUID.test(id)) {
      problems.push(`"${id}" is not a service connection id (a GUID such as 3b4c7a8e-…).`);
    }
    return problems;
  },

  describe(account) {
    return `Azure Pipelines: service connection ${serviceConnectionOf(account) ?? '(not set)'}`;
  },
};
