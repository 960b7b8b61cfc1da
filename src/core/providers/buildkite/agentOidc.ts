import { TokenExplorerError } from '../../errors';
import { missingCliRemedies } from '../../remedies';
import type { Environment } from '../../ports';
import { errorLines, excerpt, failureHead, runCli } from '../cli';
import { jobTokenFromCli } from '../jobToken';
import type { Account, Provider } from '../provider';

/**
 * What `buildkite-agent oidc request-token` reads from the job's environment: the job id
 * (`--job`, required) and the agent's access token for the Agent API (buildkite/agent
 * clicommand/oidc_request_token.go, `apiFlags`).
 */
const JOB_VARIABLE = 'BUILDKITE_JOB_ID';
const AGENT_TOKEN_VARIABLE = 'BUILDKITE_AGENT_ACCESS_TOKEN';
/** The optional claims `--claim` adds (https://buildkite.com/docs/agent/v3/cli-oidc). */
export const BUILDKITE_OPTIONAL_CLAIMS = ['organization_id', 'pipeline_id'] as const;
const SYSTEM = 'Buildkite';
const RERUN = 'Buildkite tokens last 5 minutes unless a lifetime is set; get a new one.';

/** Whether this process runs in a Buildkite job whose agent can request OIDC tokens. */
export function buildkiteJobAvailable(env: Pick<Environment, 'get'>): boolean {
  return Boolean(env.get(JOB_VARIABLE)?.trim() && env.get(AGENT_TOKEN_VARIABLE)?.trim());
}

interface BuildkiteSettings {
  /** Seconds; absent or 0 lets Buildkite choose (5 minutes). */
  readonly lifetime?: number;
  readonly claims: readonly string[];
}

function readSettings(account: Account): BuildkiteSettings {
  const { lifetime, claims } = account.settings;
  return {
    ...(typeof lifetime === 'number' && lifetime > 0 ? { lifetime } : {}),
    claims: Array.isArray(claims) ? claims.filter((c): c is string => typeof c === 'string') : [],
  };
}

/** The request-token arguments, as the agent's CLI takes them (one `--claim` per claim). */
export function requestTokenArgs(audience: string, settings: BuildkiteSettings): string[] {
  return [
    'oidc',
    'request-token',
    ...(audience ? ['--audience', audience] : []),
    ...(settings.lifetime ? ['--lifetime', String(settings.lifetime)] : []),
    ...settings.claims.flatMap((claim) => ['--claim', claim]),
  ];
}

/**
 * Mints a Buildkite job ID token with `buildkite-agent oidc request-token` (the agent prints the
 * token and a newline; issuer https://agent.buildkite.com, default audience
 * https://buildkite.com/ORG_SLUG, default lifetime 5 minutes: https://buildkite.com/docs/agent/v3/cli-oidc).
 * The agent finds the job and its access token in the environment the editor inherited.
 */
export const buildkiteProvider: Provider = {
  kind: 'buildkite-oidc',
  label: 'Buildkite: job OIDC token',

  async mint(account, request, context) {
    const problems = buildkiteProvider.validate(account);
    if (problems.length > 0) {
      throw new TokenExplorerError('bad-config', `Buildkite account: ${problems.join(' ')}`);
    }
    const file = context.buildkiteAgentPath ?? 'buildkite-agent';
    const args = requestTokenArgs(request.audience.trim(), readSettings(account));
    const command = `buildkite-agent ${args.join(' ')}`;
    const result = await runCli(
      context.runner,
      file,
      args,
      {
        timeoutMs: context.timeoutMs,
        signal: request.signal,
        // The job's variables as the editor sees them (the runner adds the rest of its environment).
        env: {
          [JOB_VARIABLE]: context.env.get(JOB_VARIABLE),
          [AGENT_TOKEN_VARIABLE]: context.env.get(AGENT_TOKEN_VARIABLE),
          BUILDKITE_AGENT_ENDPOINT: context.env.get('BUILDKITE_AGENT_ENDPOINT'),
        },
      },
      {
        notFoundRemedies: missingCliRemedies(
          'buildkite-agent',
          'tokenExplorer.buildkiteAgent.path',
        ),
        notFound: () =>
          `buildkite-agent (${file}) was not found. It is on the PATH of every Buildkite job; run VS Code (or code-server) from a job step, or set tokenExplorer.buildkiteAgent.path.`,
        timeout: (seconds) =>
          `${command} did not finish within ${seconds} s (the agent retries the Agent API up to 5 times). Check the agent's network, then try again.`,
      },
    );
    if (result.exitCode !== 0) {
      const missing = [JOB_VARIABLE, AGENT_TOKEN_VARIABLE].filter((v) => !context.env.get(v));
      const why =
        missing.length > 0
          ? `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: the agent sets them only for the steps of a job, so VS Code must run inside one.`
          : 'Check the audience, the lifetime and the claims, and that the job is still running.';
      throw new TokenExplorerError(
        'cli-failed',
        `${failureHead(command, result, excerpt(errorLines(result.stderr)))}${why}`,
      );
    }
    const token = jobTokenFromCli(
      result.stdout,
      { tool: 'buildkite-agent', command },
      SYSTEM,
      context.clock,
      RERUN,
    );
    return { token: token.token, expiresAt: token.expiresAt };
  },

  validate(account) {
    const problems: string[] = [];
    const { lifetime, claims } = account.settings;
    if (
      lifetime !== undefined &&
      (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 0)
    ) {
      problems.push(
        '"lifetime" must be a whole number of seconds, 0 or more (0: Buildkite chooses).',
      );
    }
    if (claims !== undefined) {
      const known: readonly string[] = BUILDKITE_OPTIONAL_CLAIMS;
      const bad = Array.isArray(claims)
        ? claims.filter((c) => !known.includes(c as string))
        : [claims];
      if (bad.length > 0) {
        problems.push(`"claims" may list only ${BUILDKITE_OPTIONAL_CLAIMS.join(' and ')}.`);
      }
    }
    return problems;
  },

  describe(account) {
    const { lifetime, claims } = readSettings(account);
    const extras = [
      lifetime ? `${lifetime} s` : undefined,
      claims.length > 0 ? `+${claims.join(', ')}` : undefined,
    ].filter(Boolean);
    return `Buildkite: buildkite-agent oidc request-token${extras.length > 0 ? ` (${extras.join('; ')})` : ''}`;
  },
};
