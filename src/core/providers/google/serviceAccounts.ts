import { TokenExplorerError } from '../../errors';
import { ADC_SIGN_IN } from './credentials';
import { fetchJson } from '../../http';
import type { ProviderContext } from '../provider';
import { adcAccessTokenSource } from './adc';
import { googleApiBase } from './endpoints';

/** One service account of a project, as the IAM API lists it. */
export interface ServiceAccountSummary {
  readonly email: string;
  readonly displayName?: string;
  readonly uniqueId?: string;
  readonly disabled?: boolean;
}

/** Options of {@link listServiceAccounts}. */
export interface ListServiceAccountsOptions {
  /** Defaults to the `iam` endpoint of the context (./endpoints), else `https://iam.googleapis.com`. */
  readonly iamEndpoint?: string;
  /** An explicit credentials file instead of the ADC search order. */
  readonly credentialsFile?: string;
  readonly signal?: AbortSignal;
  /** Stops after this many pages (100 accounts each); default 50. */
  readonly maxPages?: number;
}

function readPage(body: unknown, url: string): { accounts: unknown[]; next?: string } {
  if (typeof body !== 'object' || body === null) {
    throw new TokenExplorerError(
      'bad-response',
      `${url} answered with JSON that is not an object.`,
    );
  }
  const { accounts, nextPageToken } = body as { accounts?: unknown; nextPageToken?: unknown };
  if (accounts !== undefined && !Array.isArray(accounts)) {
    throw new TokenExplorerError(
      'bad-response',
      `${url} answered with "accounts" that is not a list.`,
    );
  }
  return {
    accounts: accounts ?? [],
    ...(typeof nextPageToken === 'string' && nextPageToken !== '' ? { next: nextPageToken } : {}),
  };
}

function summary(entry: unknown): ServiceAccountSummary | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { email, displayName, uniqueId, disabled } = entry as Record<string, unknown>;
  if (typeof email !== 'string') return undefined;
  return {
    email,
    ...(typeof displayName === 'string' && displayName !== '' ? { displayName } : {}),
    ...(typeof uniqueId === 'string' ? { uniqueId } : {}),
    ...(typeof disabled === 'boolean' ? { disabled } : {}),
  };
}

/**
 * Lists a project's service accounts through the IAM REST API, following `nextPageToken`, with
 * the ADC access token.
 * @throws TokenExplorerError `permission-denied` (403), `bad-config` (404: unknown project),
 *   `bad-credentials` (401), or the HTTP helpers' network errors.
 */
export async function listServiceAccounts(
  context: ProviderContext,
  project: string,
  options: ListServiceAccountsOptions = {},
): Promise<ServiceAccountSummary[]> {
  if (!/^[a-z0-9][a-z0-9:.-]*$/i.test(project)) {
    throw new TokenExplorerError('bad-config', `"${project}" is not a Google Cloud project id.`);
  }
  const source = await adcAccessTokenSource(
    context,
    options.credentialsFile ? { credentialsFile: options.credentialsFile } : {},
  );
  const base = options.iamEndpoint?.replace(/\/+$/, '') ?? googleApiBase(context, 'iam');
  const result: ServiceAccountSummary[] = [];
  let pageToken = '';
  for (let page = 0; page < (options.maxPages ?? 50); page++) {
    const { accessToken } = await source.getAccessToken(options.signal);
    // The first page goes without a pageToken, so the URL shown in an error is the plain one.
    const tokenParam = pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : '';
    const url = `${base}/v1/projects/${encodeURIComponent(project)}/serviceAccounts?pageSize=100${tokenParam}`;
    let body: unknown;
    try {
      body = await fetchJson(context.fetch, url, context.timeoutMs, {
        headers: { authorization: `Bearer ${accessToken}`, ...source.quotaProjectHeader },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      const status = /answered HTTP (\d{3})/.exec(
        error instanceof TokenExplorerError && error.code === 'http-status' ? error.message : '',
      )?.[1];
      const caller = source.callerEmail ?? 'your Application Default Credentials';
      if (status === '403') {
        throw new TokenExplorerError(
          'permission-denied',
          `${caller} may not list the service accounts of project ${project}. It needs iam.serviceAccounts.list (e.g. roles/iam.serviceAccountViewer) on the project; or type the service account's email instead.`,
          { cause: error },
        );
      }
      if (status === '404') {
        throw new TokenExplorerError(
          'bad-config',
          `The project ${project} was not found (or the IAM API is not enabled in it). Check the project id.`,
          { cause: error },
        );
      }
      if (status === '401') {
        source.invalidate();
        throw new TokenExplorerError(
          'bad-credentials',
          `The IAM API rejected the access token of ${caller}: your Application Default Credentials are invalid or expired. Run \`gcloud auth application-default login\`.`,
          { cause: error, remedies: [ADC_SIGN_IN] },
        );
      }
      throw error;
    }
    const { accounts, next } = readPage(body, url);
    for (const entry of accounts) {
      const account = summary(entry);
      if (account) result.push(account);
    }
    if (!next) return result;
    pageToken = next;
  }
  return result;
}
