// The `executable` credential source of `external_account` (pluggable auth).
import { TokenExplorerError } from '../../errors';
import { type Remedy, openFileRemedies } from '../../remedies';
import { runCli } from '../cli';
import type { ProviderContext } from '../provider';
import { targetOfImpersonationUrl } from './credentialFiles';
import type { CredentialSource, ExternalAccountCredentials } from './credentials';

interface ExecutableResponse {
  version?: unknown;
  success?: unknown;
  token_type?: unknown;
  id_token?: unknown;
  saml_response?: unknown;
  expiration_time?: unknown;
  code?: unknown;
  message?: unknown;
}

const SAML = 'urn:ietf:params:oauth:token-type:saml2';
const ID_TOKEN_TYPES = [
  'urn:ietf:params:oauth:token-type:jwt',
  'urn:ietf:params:oauth:token-type:id_token',
];

/**
 * Google's page on executable-sourced credentials: the program's contract and the
 * GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES switch (google-auth-library-nodejs README
 * "Executable-sourced credentials" links it; PluggableAuthClient's docstring requires the variable).
 */
const EXECUTABLE_DOCS =
  'https://cloud.google.com/iam/docs/workload-identity-federation-with-other-providers#executable-sourced-credentials';

/** What fixes a program that is off, missing or too slow: its credentials file, and the docs. */
function programRemedies(credentials: ExternalAccountCredentials): Remedy[] {
  return [
    ...openFileRemedies(credentials.from),
    { kind: 'openUrl', url: EXECUTABLE_DOCS, label: 'Open Google Docs' },
  ];
}

function refused(where: string, problem: string): TokenExplorerError {
  return new TokenExplorerError('bad-credentials', `${where} ${problem}`);
}

/**
 * The subject token of an executable's answer, checked as google-auth-library's
 * `ExecutableResponse` and `PluggableAuthClient.retrieveSubjectToken` check it: `version` (at
 * most 1) and `success` required; a success needs `token_type` (jwt, id_token or saml2) and the
 * matching `id_token` / `saml_response`; a failure needs `code` and `message`; `expiration_time`
 * is required with an output file and must not have passed.
 * @returns undefined for a cached answer (`fromOutputFile`) that is expired, failed or unusable:
 *   the program then runs again.
 */
function subjectFromExecutable(
  text: string,
  where: string,
  nowMs: number,
  requireExpiry: boolean,
  fromOutputFile = false,
): string | undefined {
  let body: ExecutableResponse;
  try {
    body = JSON.parse(text) as ExecutableResponse;
  } catch {
    if (fromOutputFile) return undefined;
    throw refused(where, 'did not print valid JSON.');
  }
  if (typeof body.version !== 'number' || typeof body.success !== 'boolean') {
    if (fromOutputFile) return undefined;
    throw refused(where, 'printed JSON without a numeric "version" and a boolean "success".');
  }
  if (body.version > 1) {
    throw refused(where, `answered with version ${body.version}; only version 1 is supported.`);
  }
  if (!body.success) {
    if (fromOutputFile) return undefined;
    if (typeof body.code !== 'string' || typeof body.message !== 'string') {
      throw refused(where, 'reported failure without the "code" and "message" it must give.');
    }
    throw refused(where, `reported failure ${body.code}: ${body.message.slice(0, 200)}.`);
  }
  const expiration = typeof body.expiration_time === 'number' ? body.expiration_time : undefined;
  if (expiration === undefined && requireExpiry) {
    if (fromOutputFile) return undefined;
    throw refused(
      where,
      'gave no "expiration_time", which is required when an output_file is set.',
    );
  }
  if (expiration !== undefined && expiration * 1000 < nowMs) {
    if (fromOutputFile) return undefined;
    throw refused(where, 'printed an expired token.');
  }
  const type = body.token_type;
  const token =
    type === SAML
      ? body.saml_response
      : typeof type === 'string' && ID_TOKEN_TYPES.includes(type)
        ? body.id_token
        : undefined;
  if (typeof type !== 'string' || (type !== SAML && !ID_TOKEN_TYPES.includes(type))) {
    throw refused(
      where,
      `printed "token_type" ${JSON.stringify(type ?? null)}; it must be one of ${[...ID_TOKEN_TYPES, SAML].join(', ')}.`,
    );
  }
  if (typeof token !== 'string' || token === '') {
    throw refused(
      where,
      `printed no ${type === SAML ? 'saml_response' : 'id_token'} for token_type ${type}.`,
    );
  }
  return token;
}

/** Runs the credential program of an `executable` source (or reads its output file). */
export async function executableSubjectToken(
  credentials: ExternalAccountCredentials,
  source: Extract<CredentialSource, { kind: 'executable' }>,
  context: ProviderContext,
): Promise<string> {
  if (context.env.get('GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES') !== '1') {
    throw new TokenExplorerError(
      'bad-config',
      `The credentials in ${credentials.from} get their subject token by running a program, which is off by default. If you trust that file, set the environment variable GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 before starting VS Code (\`export GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1\` in the shell that starts it, or in the remote host's environment); only a new VS Code process sees it.`,
      { remedies: programRemedies(credentials) },
    );
  }
  const nowMs = context.clock.now();
  if (source.outputFile) {
    const cached = await context.files.readText(source.outputFile);
    if (cached) {
      const token = subjectFromExecutable(cached, source.outputFile, nowMs, true, true);
      if (token) return token;
    }
  }
  const [file, ...args] = source.command.trim().split(/\s+/);
  const where = `The credential program ${file ?? source.command}`;
  const impersonated = credentials.serviceAccountImpersonationUrl
    ? targetOfImpersonationUrl(credentials.serviceAccountImpersonationUrl, credentials.from)
    : undefined;
  // The variables google-auth-library (PluggableAuthClient.retrieveSubjectToken) and Python
  // google.auth.pluggable (`_inject_env_variables`: GOOGLE_EXTERNAL_ACCOUNT_ID is the
  // impersonated email, the "external account id") give the program, on top of the inherited
  // environment. Interactive mode is gcloud-only: always 0 here. It runs through the shared CLI
  // path like every other program: its output comes back without terminal colours (a program
  // forced to colour through a pipe still gives JSON).
  const result = await runCli(
    context.runner,
    file ?? '',
    args,
    {
      timeoutMs: source.timeoutMillis,
      env: {
        GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: credentials.audience,
        GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: credentials.subjectTokenType,
        GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE: '0',
        ...(impersonated
          ? {
              GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL: impersonated,
              GOOGLE_EXTERNAL_ACCOUNT_ID: impersonated,
            }
          : {}),
        ...(source.outputFile ? { GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE: source.outputFile } : {}),
      },
    },
    {
      notFound: (error) =>
        `${where}, named by "credential_source.executable.command" in ${credentials.from}, could not be started: ${error.message}`,
      timeout: (seconds) =>
        `${where} did not finish within ${seconds} s ("credential_source.executable.timeout_millis" in ${credentials.from}) and was stopped.`,
      notFoundRemedies: programRemedies(credentials),
      timeoutRemedies: [{ kind: 'retry' }, ...openFileRemedies(credentials.from)],
    },
  );
  if (result.exitCode !== 0) {
    throw new TokenExplorerError(
      'cli-failed',
      `${where} exited with ${result.exitCode ?? 'a signal'}${result.stderr.trim() ? `: ${result.stderr.trim().slice(0, 300)}` : ''}.`,
    );
  }
  const token = subjectFromExecutable(result.stdout, where, nowMs, Boolean(source.outputFile));
  if (!token) throw new TokenExplorerError('bad-credentials', `${where} printed an expired token.`);
  return token;
}
