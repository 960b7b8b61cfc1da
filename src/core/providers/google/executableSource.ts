// The `executable` credential source of `external_account` (pluggable auth).
import { TokenExplorerError } from '../../errors';
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

function subjectFromExecutable(
  text: string,
  where: string,
  nowMs: number,
  requireExpiry: boolean,
): string | undefined {
  let body: ExecutableResponse;
  try {
    body = JSON.parse(text) as ExecutableResponse;
  } catch {
    throw new TokenExplorerError('bad-credentials', `${where} did not print valid JSON.`);
  }
  if (body.success === false) {
    throw new TokenExplorerError(
      'bad-credentials',
      `${where} reported failure${typeof body.code === 'string' ? ` ${body.code}` : ''}${typeof body.message === 'string' ? `: ${body.message.slice(0, 200)}` : ''}.`,
    );
  }
  if (body.success !== true || body.version !== 1) {
    throw new TokenExplorerError(
      'bad-credentials',
      `${where} printed JSON without "version": 1 and "success": true.`,
    );
  }
  const expiration = typeof body.expiration_time === 'number' ? body.expiration_time : undefined;
  if (expiration !== undefined && expiration * 1000 <= nowMs) return undefined;
  if (expiration === undefined && requireExpiry) return undefined;
  const token = typeof body.id_token === 'string' ? body.id_token : body.saml_response;
  if (typeof token !== 'string' || token === '') {
    throw new TokenExplorerError(
      'bad-credentials',
      `${where} printed no id_token or saml_response.`,
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
      `The credentials in ${credentials.from} get their subject token by running a program, which is off by default. If you trust that file, set the environment variable GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 before starting VS Code.`,
    );
  }
  const nowMs = context.clock.now();
  if (source.outputFile) {
    const cached = await context.files.readText(source.outputFile);
    if (cached) {
      const token = subjectFromExecutable(cached, source.outputFile, nowMs, true);
      if (token) return token;
    }
  }
  const [file, ...args] = source.command.trim().split(/\s+/);
  const where = `The credential program ${file ?? source.command}`;
  // The runner is given only these variables on top of the inherited environment.
  const result = await context.runner.run(file ?? '', args, {
    timeoutMs: source.timeoutMillis,
    env: {
      GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: credentials.audience,
      GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: credentials.subjectTokenType,
      GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE: '0',
      ...(credentials.serviceAccountImpersonationUrl
        ? {
            GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL: targetOfImpersonationUrl(
              credentials.serviceAccountImpersonationUrl,
              credentials.from,
            ),
          }
        : {}),
      ...(source.outputFile ? { GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE: source.outputFile } : {}),
    },
  });
  if (result.exitCode !== 0) {
    throw new TokenExplorerError(
      'cli-failed',
      `${where} exited with ${result.exitCode ?? 'a signal'}${result.stderr.trim() ? `: ${result.stderr.trim().slice(0, 300)}` : ''}.`,
    );
  }
  const token = subjectFromExecutable(result.stdout, where, nowMs, false);
  if (!token) throw new TokenExplorerError('bad-credentials', `${where} printed an expired token.`);
  return token;
}
