import { TokenExplorerError } from '../../errors';
import { missingCliRemedies } from '../../remedies';
import type { Environment } from '../../ports';
import { errorLines, excerpt, failureHead, runCli } from '../cli';
import { audiencesOf, holdsJwt, jobTokenFromCli, jobTokenFromVariable } from '../jobToken';
import type { Account, Provider, ProviderContext } from '../provider';
import { nonTextSettings, optionalString } from '../settings';

/**
 * The job's ID tokens: CircleCI puts both in every job's environment, V2 with the VCS origin and
 * ref in `sub` (https://circleci.com/docs/openid-connect-tokens/); their audience is the
 * organization id.
 */
export const CIRCLECI_TOKEN_VARIABLES = {
  v2: 'CIRCLE_OIDC_TOKEN_V2',
  v1: 'CIRCLE_OIDC_TOKEN',
} as const;
const VARIABLES = CIRCLECI_TOKEN_VARIABLES;
type TokenVersion = keyof typeof VARIABLES;
const SYSTEM = 'CircleCI';
const RERUN = 'CircleCI job tokens last one hour; re-run the job for a fresh one.';

function versionOf(account: Account): TokenVersion {
  return optionalString(account.settings.version) === 'v1' ? 'v1' : 'v2';
}

/** Which of the job's token variables hold a token, V2 first (for detection and the wizard). */
export function circleciTokenVariables(env: Pick<Environment, 'get'>): TokenVersion[] {
  return (['v2', 'v1'] as const).filter((version) => holdsJwt(env, VARIABLES[version]));
}

/**
 * `circleci run oidc get --claims '{"aud": "…"}'`: a token for a custom audience, printed on
 * stdout; only `aud` may be customised and the command works only inside a job
 * (https://circleci.com/docs/oidc-tokens-with-custom-claims/).
 */
async function tokenForAudience(audience: string, context: ProviderContext, signal?: AbortSignal) {
  const file = context.circleciPath ?? 'circleci';
  const claims = JSON.stringify({ aud: audience });
  const command = `circleci run oidc get --claims '${claims}'`;
  const result = await runCli(
    context.runner,
    file,
    ['run', 'oidc', 'get', '--claims', claims],
    {
      timeoutMs: context.timeoutMs,
      signal,
      // The job's variables as the editor sees them (the runner adds the rest of its environment).
      env: { CIRCLECI: context.env.get('CIRCLECI') },
    },
    {
      notFoundRemedies: missingCliRemedies('circleci', 'tokenExplorer.circleci.path'),
      notFound: () =>
        `The CircleCI CLI (${file}) was not found. A token for an audience other than the organization id comes only from "circleci run oidc get" inside a CircleCI job: install the CLI in the job's image (or set tokenExplorer.circleci.path), or leave the audience empty to use $${VARIABLES.v2}.`,
      timeout: (seconds) => `${command} did not finish within ${seconds} s.`,
    },
  );
  if (result.exitCode !== 0) {
    throw new TokenExplorerError(
      'cli-failed',
      `${failureHead(command, result, excerpt(errorLines(result.stderr)))}It runs only inside a CircleCI job (not locally) and customises only "aud"; leave the audience empty to use the job's $${VARIABLES.v2}.`,
    );
  }
  const token = jobTokenFromCli(
    result.stdout,
    { tool: 'circleci', command },
    SYSTEM,
    context.clock,
    RERUN,
  );
  if (!audiencesOf(token.payload).includes(audience)) {
    throw new TokenExplorerError(
      'bad-response',
      `${command} printed a token for ${audiencesOf(token.payload).join(', ') || 'no audience'}, not "${audience}". Update the CircleCI CLI in the job's image.`,
    );
  }
  return token;
}

/**
 * CircleCI's job ID tokens: the job's `CIRCLE_OIDC_TOKEN_V2` (or V1) when the audience is empty
 * or the organization id they carry; for another audience, `circleci run oidc get`. Variables
 * are re-read at each refresh.
 */
export const circleciProvider: Provider = {
  kind: 'circleci-oidc',
  label: 'CircleCI: job ID token',

  async mint(account, request, context) {
    const variable = VARIABLES[versionOf(account)];
    const wanted = request.audience.trim();
    const own = context.env.get(variable)?.trim();
    if (own || !wanted) {
      const token = jobTokenFromVariable(context.env, variable, SYSTEM, context.clock, {
        missing:
          'CircleCI sets it in every job of a project in an organization that uses OIDC; run VS Code (or code-server) from a CircleCI job to use this account.',
        rerun: RERUN,
      });
      if (!wanted || audiencesOf(token.payload).includes(wanted)) {
        return { token: token.token, expiresAt: token.expiresAt };
      }
    }
    const token = await tokenForAudience(wanted, context, request.signal);
    return { token: token.token, expiresAt: token.expiresAt };
  },

  validate(account) {
    const problems = nonTextSettings(account.settings, ['version']);
    const version = optionalString(account.settings.version);
    if (version !== undefined && version !== 'v1' && version !== 'v2') {
      problems.push(`"version" must be "v2" (${VARIABLES.v2}) or "v1" (${VARIABLES.v1}).`);
    }
    return problems;
  },

  describe(account) {
    return `CircleCI: $${VARIABLES[versionOf(account)]}`;
  },
};
