import { TokenExplorerError } from '../../errors';
import { detectIssuerFamily } from '../../jwt/family';
import { extractToken } from '../../jwt/extract';
import { findJwts } from '../../jwt/find';
import { peekToken } from '../../jwt/peek';
import type { Environment } from '../../ports';
import type { Remedy } from '../../remedies';
import type { Account, MintedToken, Provider, ProviderContext } from '../provider';
import { assertSettingsValid, nonTextSettings, optionalString } from '../settings';

/** A decoded token as readToken returns it. */
type PeekedToken = ReturnType<typeof peekToken>;

const DEFAULT_INSTANCE = 'https://gitlab.com';
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Variables that conventionally hold a GitLab ID token, scanned by {@link gitlabEnvironmentTokens}
 * when it is given no names (`CI_JOB_JWT_V2` is the pre-17.0 predefined one).
 */
const CONVENTIONAL_NAMES = [
  'GITLAB_OIDC_TOKEN',
  'ID_TOKEN',
  'ID_TOKEN_1',
  'ID_TOKEN_2',
  'OIDC_TOKEN',
  'CI_JOB_JWT_V2',
];

/** Job credentials for GitLab's own APIs, never offered as ID tokens even when they are JWTs. */
const CREDENTIAL_NAMES = new Set([
  'CI_JOB_TOKEN',
  'CI_REGISTRY_PASSWORD',
  'CI_DEPENDENCY_PROXY_PASSWORD',
  'CI_DEPLOY_PASSWORD',
  'CI_REPOSITORY_URL',
]);

/** Where a `gitlab-ci` account reads its token. */
type TokenSource =
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string };

/** The settings of a `gitlab-ci` account, read leniently (validate reports problems). */
interface GitlabCiSettings {
  readonly source?: TokenSource;
  readonly instanceUrl: string;
}

function readSettings(account: Account): GitlabCiSettings {
  const variable = optionalString(account.settings.variable);
  const file = optionalString(account.settings.file);
  const instanceUrl = optionalString(account.settings.instanceUrl) ?? DEFAULT_INSTANCE;
  const source: TokenSource | undefined = variable
    ? { kind: 'variable', name: variable }
    : file
      ? { kind: 'file', path: file }
      : undefined;
  return { ...(source ? { source } : {}), instanceUrl: instanceUrl.replace(/\/+$/, '') };
}

function shownSource(source: TokenSource): string {
  return source.kind === 'variable' ? `$${source.name}` : `the file ${source.path}`;
}

/**
 * Copying the job's `id_tokens:` entry for the variable and audience (GitLab docs, "OpenID Connect
 * (OIDC) Authentication Using ID Tokens": `id_tokens: NAME: aud: …` in the job of .gitlab-ci.yml).
 */
function idTokensRemedy(name: string, audience: string): Remedy {
  return {
    kind: 'copyText',
    text: `id_tokens:\n  ${name}:\n    aud: ${audience}\n`,
    label: 'Copy id_tokens',
    pasteInto: 'the job in .gitlab-ci.yml',
  };
}

const WHERE_TOKENS_EXIST =
  'GitLab mints ID tokens only for CI/CD jobs whose `id_tokens:` in .gitlab-ci.yml declares them, and only that job sees them: start VS Code from such a job (a CI-started editor, a dev container or a GitLab Workspace that runs in it).';

/** The text holding the token, re-read on every mint so that a refresh sees a new job's token. */
async function readSource(source: TokenSource, context: ProviderContext): Promise<string> {
  if (source.kind === 'variable') {
    const value = context.env.get(source.name);
    if (value === undefined || value.trim() === '') {
      throw new TokenExplorerError(
        'no-credentials',
        `The environment variable ${source.name} is ${value === undefined ? 'not set' : 'empty'}. ${WHERE_TOKENS_EXIST} Declare it in the job, e.g.\nid_tokens:\n  ${source.name}:\n    aud: https://your-service.example`,
        { remedies: [idTokensRemedy(source.name, 'https://your-service.example')] },
      );
    }
    return value;
  }
  const text = await context.files.readText(source.path);
  if (text === undefined) {
    throw new TokenExplorerError(
      'no-credentials',
      `The token file ${source.path} does not exist. Have the job write its ID token there (e.g. printf '%s' "$ID_TOKEN_1" > ${source.path}); ${WHERE_TOKENS_EXIST}`,
    );
  }
  return text;
}

/** The token in the variable or file; never quoted in a message. */
function readToken(text: string, source: TokenSource): PeekedToken {
  let token: string;
  try {
    token = extractToken(text).token;
  } catch (error) {
    const code = error instanceof TokenExplorerError ? error.code : 'not-a-jwt';
    throw new TokenExplorerError(
      code === 'no-token' ? 'no-token' : 'not-a-jwt',
      `${shownSource(source)} does not hold a JWT (${text.trim().length} characters). It should hold the ID token GitLab put in the variable named under id_tokens in .gitlab-ci.yml.`,
      { cause: error },
    );
  }
  const inspection = peekToken(token);
  if (inspection.kind !== 'jws' || inspection.problems.length > 0 || !inspection.payload) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `${shownSource(source)} holds something JWT-shaped that does not decode as a signed token${inspection.problems[0] ? ` (${inspection.problems[0].message})` : ''}. Check that it is the ID token GitLab gave the job, unmodified.`,
    );
  }
  return inspection;
}

function audiencesOf(payload: Readonly<Record<string, unknown>>): string[] {
  return [payload.aud].flat().filter((aud): aud is string => typeof aud === 'string');
}

/**
 * Reads an ID token GitLab gave a CI/CD job. GitLab has no API that mints one elsewhere, so
 * "minting" re-reads the environment variable or file each time (a refresh picks up a new token),
 * and the audience is whatever `.gitlab-ci.yml` declared: a request for another one is refused.
 */
export const gitlabCiProvider: Provider = {
  kind: 'gitlab-ci',
  label: 'GitLab CI/CD: job ID token',

  async mint(account, request, context): Promise<MintedToken> {
    assertSettingsValid(gitlabCiProvider.validate(account), account);
    const settings = readSettings(account);
    const source = settings.source as TokenSource;
    const inspection = readToken(await readSource(source, context), source);
    const payload = inspection.payload ?? {};
    const audiences = audiencesOf(payload);
    const wanted = request.audience.trim();
    if (wanted && !audiences.includes(wanted)) {
      const name = source.kind === 'variable' ? source.name : 'ID_TOKEN_1';
      throw new TokenExplorerError(
        'bad-config',
        `The token in ${shownSource(source)} is for ${audiences.length > 0 ? audiences.map((a) => `"${a}"`).join(', ') : 'no audience'}, not "${wanted}". GitLab sets aud in .gitlab-ci.yml, not at request time: change the job's id_tokens (${name}: aud: ${JSON.stringify(wanted)}) and re-run the pipeline, or leave the audience empty to take the token as it is.`,
        { remedies: [idTokensRemedy(name, wanted)] },
      );
    }
    const exp = inspection.times.exp;
    if (exp === undefined) {
      throw new TokenExplorerError(
        'bad-response',
        `The token in ${shownSource(source)} has no readable exp claim, which GitLab ID tokens always carry. Check that it is the ID token GitLab gave the job.`,
      );
    }
    const expiresAt = Math.round(exp * 1000);
    if (expiresAt <= context.clock.now()) {
      throw new TokenExplorerError(
        'bad-credentials',
        `The token in ${shownSource(source)} expired at ${new Date(expiresAt).toISOString()}. GitLab ID tokens last as long as the job's timeout; run the job again for a fresh one.`,
      );
    }
    const issuer = typeof payload.iss === 'string' ? payload.iss.replace(/\/+$/, '') : undefined;
    if (issuer !== settings.instanceUrl) {
      context.logger.warn(
        `The GitLab token in ${shownSource(source)} was issued by ${issuer ?? 'no issuer'}, not the account's instance ${settings.instanceUrl}; check the instance URL setting.`,
      );
    }
    return { token: inspection.token, expiresAt };
  },

  validate(account) {
    const { variable, file } = account.settings;
    const problems = nonTextSettings(account.settings, ['variable', 'file', 'instanceUrl']);
    if (problems.length > 0) return problems;
    const settings = readSettings(account);
    const hasVariable = optionalString(variable) !== undefined;
    const hasFile = optionalString(file) !== undefined;
    if (hasVariable && hasFile) {
      problems.push('Set either the variable or the file that holds the token, not both.');
    } else if (!settings.source) {
      problems.push(
        'Set the environment variable that holds the token (the name under id_tokens in .gitlab-ci.yml, e.g. ID_TOKEN_1), or a file holding it.',
      );
    } else if (settings.source.kind === 'variable' && !VARIABLE_NAME.test(settings.source.name)) {
      problems.push(
        `"${settings.source.name}" is not a variable name: use letters, digits and underscores, without the leading $.`,
      );
    }
    if (!/^https?:\/\//i.test(settings.instanceUrl) || !URL.canParse(settings.instanceUrl)) {
      problems.push('The GitLab instance URL must be an http(s) URL, e.g. https://gitlab.com.');
    }
    return problems;
  },

  describe(account) {
    const { source, instanceUrl } = readSettings(account);
    const where = source ? shownSource(source) : 'no variable set';
    return `GitLab CI: ${where}${instanceUrl === DEFAULT_INSTANCE ? '' : ` (${instanceUrl})`}`;
  },
};

/** An ID token found in a CI/CD variable by {@link gitlabEnvironmentTokens}. */
export interface EnvironmentToken {
  readonly variable: string;
  readonly token: string;
}

/**
 * The environment variables that hold an ID token issued by a GitLab instance (for "Detect
 * credentials"): a single JWT whose claims are GitLab's (`project_path:` subject, an `aud`).
 * `names` lists the variables to look at (the extension passes `Object.keys(process.env)`);
 * without it, the conventional names (ID_TOKEN_1, GITLAB_OIDC_TOKEN, ...) are tried. Job
 * credentials such as CI_JOB_TOKEN are skipped even when they are JWTs. Never throws.
 */
export function gitlabEnvironmentTokens(
  env: Pick<Environment, 'get'>,
  names: readonly string[] = CONVENTIONAL_NAMES,
): EnvironmentToken[] {
  const found: EnvironmentToken[] = [];
  for (const variable of new Set(names)) {
    if (CREDENTIAL_NAMES.has(variable)) continue;
    const value = env.get(variable)?.trim();
    if (!value || findJwts(value, 1)[0]?.token !== value) continue;
    let payload: Readonly<Record<string, unknown>> | undefined;
    try {
      payload = peekToken(value).payload;
    } catch {
      // Not decodable: not a token this scan is after.
      continue;
    }
    if (!payload || detectIssuerFamily(payload) !== 'gitlab') continue;
    const sub = payload.sub;
    if (typeof sub !== 'string' || !sub.startsWith('project_path:')) continue;
    if (audiencesOf(payload).length === 0) continue;
    found.push({ variable, token: value });
  }
  return found;
}
