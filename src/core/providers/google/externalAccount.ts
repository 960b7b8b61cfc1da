// `external_account` (workload identity federation): the subject token and the STS exchange.
import { isRecord } from '../../guards';
import { TokenExplorerError } from '../../errors';
import type { ProviderContext } from '../provider';
import type { AccessToken, ExternalAccountCredentials, SubjectTokenFormat } from './credentials';
import { CLOUD_PLATFORM_SCOPE } from './credentials';
import { awsSubjectToken } from './awsSource';
import { executableSubjectToken } from './executableSource';
import { expiresAtFrom, postTokenForm, requireField } from './tokenResponses';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** GETs a URL as text with the context's timeout (for URL-sourced subject tokens). */
async function fetchText(
  context: ProviderContext,
  url: string,
  headers: Readonly<Record<string, string>>,
): Promise<string> {
  let response: Response;
  let text: string;
  try {
    response = await context.fetch(url, {
      headers,
      signal: AbortSignal.timeout(context.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new TokenExplorerError(
      timedOut ? 'timeout' : 'network',
      timedOut
        ? `The subject-token URL ${url} did not answer within ${context.timeoutMs / 1000} s.`
        : `Could not read the subject token from ${url}: ${error instanceof Error ? error.message : String(error)}.`,
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new TokenExplorerError(
      'http-status',
      `The subject-token URL ${url} answered HTTP ${response.status}.`,
    );
  }
  return text;
}

function subjectFromText(text: string, format: SubjectTokenFormat, where: string): string {
  let token: unknown = text.trim();
  if (format.type === 'json') {
    const field = format.subjectTokenFieldName ?? '';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    token = isRecord(body) ? body[field] : undefined;
    if (typeof token !== 'string') {
      throw new TokenExplorerError(
        'bad-credentials',
        `The subject token at ${where} is not JSON with a string field "${field}".`,
      );
    }
  }
  if (token === '') {
    throw new TokenExplorerError('bad-credentials', `The subject token at ${where} is empty.`);
  }
  return token as string;
}

/** Reads the subject token of `external_account` credentials from their source. */
export async function readSubjectToken(
  credentials: ExternalAccountCredentials,
  context: ProviderContext,
): Promise<string> {
  const source = credentials.credentialSource;
  switch (source.kind) {
    case 'file': {
      const text = await context.files.readText(source.file);
      if (text === undefined) {
        throw new TokenExplorerError(
          'bad-credentials',
          `The subject-token file ${source.file} named in ${credentials.from} does not exist.`,
        );
      }
      return subjectFromText(text, source.format, source.file);
    }
    case 'url':
      return subjectFromText(
        await fetchText(context, source.url, source.headers),
        source.format,
        source.url,
      );
    case 'executable':
      return executableSubjectToken(credentials, source, context);
    case 'aws':
      return awsSubjectToken(credentials, source, context);
  }
}

/** The STS token exchange of `external_account` credentials. */
export async function exchangeSubjectToken(
  credentials: ExternalAccountCredentials,
  context: ProviderContext,
): Promise<AccessToken> {
  const subjectToken = await readSubjectToken(credentials, context);
  const body = await postTokenForm(
    credentials,
    {
      grant_type: TOKEN_EXCHANGE,
      audience: credentials.audience,
      scope: CLOUD_PLATFORM_SCOPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
      subject_token: subjectToken,
      subject_token_type: credentials.subjectTokenType,
      options:
        credentials.workforcePoolUserProject && !credentials.clientId
          ? JSON.stringify({ userProject: credentials.workforcePoolUserProject })
          : undefined,
    },
    context,
    (said) =>
      `The security token service ${credentials.tokenUrl} refused the subject token of ${credentials.from}${said}. Check that the token is fresh and that the workload identity provider "${credentials.audience}" trusts its issuer and audience.`,
  );
  return {
    accessToken: requireField(body, 'access_token', credentials.tokenUrl),
    expiresAt: expiresAtFrom(body, context.clock.now()),
  };
}
