import { TokenExplorerError } from '../../errors';
import { peekToken } from '../../jwt/peek';
import { ACTIONS_TOOLKIT_RETRY, withRetries } from '../../retries';
import type { Environment } from '../../ports';
import type { Remedy } from '../../remedies';
import type { MintedToken, Provider, ProviderContext } from '../provider';

const URL_VARIABLE = 'ACTIONS_ID_TOKEN_REQUEST_URL';
const TOKEN_VARIABLE = 'ACTIONS_ID_TOKEN_REQUEST_TOKEN';
/**
 * What a job needs to request ID tokens: "permissions: id-token: write" on the workflow or the
 * job (docs.github.com, "About security hardening with OpenID Connect", "Adding permissions
 * settings"; without it the runner sets neither variable, and a job-level `permissions:` block
 * replaces the workflow's).
 */
const PERMISSIONS_SNIPPET = 'permissions:\n  id-token: write\n  contents: read\n';
const PERMISSIONS_DOCS =
  'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#adding-permissions-settings';

/** Copy the permissions block, or read GitHub's page about it. */
const PERMISSION_REMEDIES: readonly Remedy[] = [
  {
    kind: 'copyText',
    text: PERMISSIONS_SNIPPET,
    label: 'Copy Permissions',
    pasteInto: 'the job of your workflow file',
  },
  { kind: 'openUrl', url: PERMISSIONS_DOCS, label: 'Open GitHub Docs' },
];

/** Longest piece of the service's error text quoted in a message. */
const MAX_BODY_EXCERPT = 200;

/** Whether this process runs in a GitHub Actions job that may request OIDC tokens. */
export function githubActionsAvailable(env: Pick<Environment, 'get'>): boolean {
  return Boolean(env.get(URL_VARIABLE)?.trim() && env.get(TOKEN_VARIABLE)?.trim());
}

/**
 * The token request URL for an audience: the job's URL already carries `?api-version=...`, so
 * the audience is appended with `&` (as actions/toolkit does), or `?` when it has no query. An
 * empty audience is left out: GitHub then uses the repository owner's URL.
 */
function requestUrl(base: string, audience: string): string {
  if (!audience) return base;
  return `${base}${base.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
}

/** The service as messages name it: its origin only (the path and query identify the job). */
function shownService(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the URL in ACTIONS_ID_TOKEN_REQUEST_URL';
  }
}

/** The service's error, flattened and clipped, with the request token blanked should it echo it. */
function excerpt(text: string, requestToken: string): string {
  let said = text;
  try {
    const body = JSON.parse(text) as { message?: unknown } | null;
    if (typeof body?.message === 'string') said = body.message;
  } catch {
    // Not JSON: quote the text.
  }
  const flat = said
    .split(requestToken)
    .join('***')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > MAX_BODY_EXCERPT ? `${flat.slice(0, MAX_BODY_EXCERPT)}…` : flat;
}

function statusError(status: number, text: string, service: string, requestToken: string) {
  const said = excerpt(text, requestToken);
  const quoted = said ? `: "${said}"` : '';
  if (status === 401) {
    return new TokenExplorerError(
      'bad-credentials',
      `The GitHub Actions token service at ${service} refused the job's request token (HTTP 401${quoted}). The token in ${TOKEN_VARIABLE} is valid only while its job runs; re-run the job and start VS Code from it again.`,
    );
  }
  if (status === 403) {
    return new TokenExplorerError(
      'permission-denied',
      `The GitHub Actions token service at ${service} refused to mint an ID token (HTTP 403${quoted}). The workflow or job needs "permissions: id-token: write" (a job's own "permissions:" block replaces the workflow's, so it must list id-token there too).`,
      { remedies: PERMISSION_REMEDIES },
    );
  }
  return new TokenExplorerError(
    'http-status',
    `The GitHub Actions token service at ${service} answered HTTP ${status}${quoted}.${status >= 500 || status === 429 ? ' Try again in a moment.' : ''}`,
  );
}

/**
 * One GET of the token endpoint as @actions/core's OidcClient sends it (actions/toolkit
 * packages/core/src/oidc-utils.ts through @actions/http-client `getJson`: `Accept:
 * application/json`, user agent `actions/oidc-client`), retried on 502/503/504 as its
 * http-client does (ACTIONS_TOOLKIT_RETRY), all within the timeout; the answer's status and text.
 */
async function requestToken(
  context: ProviderContext,
  url: string,
  bearer: string,
  signal: AbortSignal | undefined,
): Promise<{ status: number; text: string }> {
  const service = shownService(url);
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const stopped = (error: unknown): TokenExplorerError => {
    if (signal?.aborted) {
      return new TokenExplorerError(
        'cancelled',
        `The request to the GitHub Actions token service at ${service} was cancelled.`,
        { cause: error },
      );
    }
    if (timeout.aborted) {
      return new TokenExplorerError(
        'timeout',
        `The GitHub Actions token service at ${service} did not answer within ${context.timeoutMs / 1000} s. Check the network or proxy of the runner, then try again.`,
        { cause: error },
      );
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return new TokenExplorerError(
      'network',
      `Could not reach the GitHub Actions token service at ${service}: ${reason}.`,
      { cause: error },
    );
  };
  try {
    const response = await withRetries(
      () =>
        context.fetch(url, {
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${bearer}`,
            'user-agent': 'actions/oidc-client',
          },
          signal: combined,
        }),
      ACTIONS_TOOLKIT_RETRY,
      combined,
      Date.now() + context.timeoutMs,
    );
    return { status: response.status, text: await response.text() };
  } catch (error) {
    throw stopped(error);
  }
}

/** The token in the service's `{"value": "<jwt>"}` answer; never quoted in a message. */
function tokenFromAnswer(text: string, service: string): MintedToken {
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown } | null)?.value;
  } catch {
    throw new TokenExplorerError(
      'bad-response',
      `The GitHub Actions token service at ${service} did not answer with JSON (${text.length} characters).`,
    );
  }
  if (typeof value !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(value.trim())) {
    throw new TokenExplorerError(
      'bad-response',
      `The GitHub Actions token service at ${service} answered without a token in its "value" field.`,
    );
  }
  const token = value.trim();
  const exp = peekToken(token).times.exp;
  if (exp === undefined) {
    throw new TokenExplorerError(
      'bad-response',
      `The GitHub Actions token service at ${service} answered a token without a readable exp claim.`,
    );
  }
  return { token, expiresAt: Math.round(exp * 1000) };
}

/**
 * Mints an ID token inside a GitHub Actions job (an editor started by one of its steps) with
 * the job's `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. The request token
 * is sent only to that URL and never appears in a message.
 */
export const githubActionsProvider: Provider = {
  kind: 'github-actions',
  label: 'GitHub Actions: job ID token',

  async mint(_account, request, context) {
    const base = context.env.get(URL_VARIABLE)?.trim();
    const bearer = context.env.get(TOKEN_VARIABLE)?.trim();
    if (!base || !bearer) {
      const missing = [!base && URL_VARIABLE, !bearer && TOKEN_VARIABLE].filter(Boolean);
      throw new TokenExplorerError(
        'no-credentials',
        `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set. The GitHub Actions runner gives them only to the steps of a workflow job with "permissions: id-token: write"; Codespaces and other editors do not have them. Run VS Code (or code-server) from such a job to use this account.`,
        { remedies: PERMISSION_REMEDIES },
      );
    }
    if (!URL.canParse(base)) {
      throw new TokenExplorerError(
        'bad-config',
        `${URL_VARIABLE} does not hold a URL; it is set by the GitHub Actions runner and should not be changed.`,
      );
    }
    const url = requestUrl(base, request.audience.trim());
    const service = shownService(url);
    const answer = await requestToken(context, url, bearer, request.signal);
    if (answer.status !== 200) throw statusError(answer.status, answer.text, service, bearer);
    return tokenFromAnswer(answer.text, service);
  },

  // Nothing to set: the job's environment says everything.
  validate() {
    return [];
  },

  describe() {
    return "GitHub Actions: this job's OIDC token";
  },
};
