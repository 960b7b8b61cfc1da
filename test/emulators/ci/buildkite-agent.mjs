#!/usr/bin/env node
// A fake `buildkite-agent` for tests: `oidc request-token` only, with the flags, environment and
// checks of buildkite/agent clicommand/oidc_request_token.go (urfave/cli flags: --audience,
// --lifetime, --job from BUILDKITE_JOB_ID, repeated --claim, --aws-session-tag; the Agent API
// access token from BUILDKITE_AGENT_ACCESS_TOKEN) and the claims of
// https://buildkite.com/docs/agent/v3/cli-oidc. It signs the token itself (the real agent asks
// the Agent API, POST /v3/jobs/{job}/oidc/tokens) and prints it with a newline, as the agent's
// `fmt.Fprintln(c.App.Writer, token.Token)` does. State: FAKE_BUILDKITE_STATE (see fakeCiClis.ts);
// each run's arguments are appended to FAKE_BUILDKITE_LOG.
import { startRun } from '../fakeCliScript.mjs';
import { signToken } from './signing.mjs';

const { argv, state } = startRun('BUILDKITE');

/** Ends the run as the agent does: a log line on stderr, exit code 1. */
function fail(message) {
  process.stderr.write(`${new Date().toISOString()} FATAL  ${message}\n`);
  process.exit(1);
}

if (argv[0] !== 'oidc' || argv[1] !== 'request-token') {
  // Unconfirmed wording (urfave/cli's text for an unknown command).
  fail(`No help topic for '${argv.slice(0, 2).join(' ')}'`);
}
const flags = { claim: [], 'aws-session-tag': [] };
const VALUED = new Set(['audience', 'lifetime', 'job', 'claim', 'aws-session-tag']);
for (let i = 2; i < argv.length; i++) {
  const body = argv[i].replace(/^--?/, '');
  const eq = body.indexOf('=');
  const name = eq === -1 ? body : body.slice(0, eq);
  if (!VALUED.has(name)) fail(`Incorrect Usage: flag provided but not defined: -${name}`); // unconfirmed wording (urfave/cli v1)
  const value = eq === -1 ? argv[++i] : body.slice(eq + 1);
  if (value === undefined) fail(`Incorrect Usage: flag needs an argument: -${name}`); // unconfirmed wording
  if (Array.isArray(flags[name])) flags[name].push(value);
  else flags[name] = value;
}
const job = flags.job ?? process.env.BUILDKITE_JOB_ID;
// `Job string cli:"job" validate:"required"`; the validator's wording is unconfirmed.
if (!job) fail('Missing job. Set --job or BUILDKITE_JOB_ID.');
// The Agent API needs the job's access token (loadAPIClientConfig(cfg, "AgentAccessToken")); the
// text of the failure is unconfirmed.
if (!process.env.BUILDKITE_AGENT_ACCESS_TOKEN)
  fail('Missing agent access token. Set --agent-access-token or BUILDKITE_AGENT_ACCESS_TOKEN.');
const lifetime = flags.lifetime === undefined ? 0 : Number(flags.lifetime);
// "lifetime %d must be a non-negative integer." (oidc_request_token.go)
if (!Number.isInteger(lifetime) || lifetime < 0)
  fail(`lifetime ${flags.lifetime} must be a non-negative integer.`);
const audienceText = flags.audience ? `audience ${flags.audience}` : 'default audience';
if (
  state.rejectAccessToken ||
  process.env.BUILDKITE_AGENT_ACCESS_TOKEN !== state.agentAccessToken
) {
  // The agent logs this line before the API error (oidc_request_token.go); the API error's own
  // text (a 401 from the Agent API) is unconfirmed.
  process.stderr.write(
    `${new Date().toISOString()} ERROR  Could not obtain OIDC token for ${audienceText}\n`,
  );
  fail(
    `POST ${state.endpoint ?? 'https://agent.buildkite.com/v3'}/jobs/${job}/oidc/tokens: 401 Unauthorized`,
  );
}
for (const claim of flags.claim) {
  if (!['organization_id', 'pipeline_id'].includes(claim)) {
    process.stderr.write(
      `${new Date().toISOString()} ERROR  Could not obtain OIDC token for ${audienceText}\n`,
    );
    // Unconfirmed: how the Agent API words an unknown claim (a 422, which the agent does not retry).
    fail(
      `POST ${state.endpoint ?? 'https://agent.buildkite.com/v3'}/jobs/${job}/oidc/tokens: 422 Unprocessable Entity: invalid claim ${claim}`,
    );
  }
}
const org = state.organizationSlug;
const pipeline = state.pipelineSlug;
const claims = {
  sub: `organization:${org}:pipeline:${pipeline}:ref:refs/heads/${state.branch}:commit:${state.commit}:step:${state.stepKey ?? ''}`,
  // Default audience: https://buildkite.com/ORGANIZATION_SLUG (cli-oidc docs, "aud").
  aud: flags.audience || `https://buildkite.com/${org}`,
  organization_slug: org,
  pipeline_slug: pipeline,
  build_number: 1,
  build_branch: state.branch,
  build_commit: state.commit,
  step_key: state.stepKey ?? null,
  job_id: job,
  agent_id: state.agentId,
  ...(flags.claim.includes('organization_id') ? { organization_id: state.organizationId } : {}),
  ...(flags.claim.includes('pipeline_id') ? { pipeline_id: state.pipelineId } : {}),
};
// Default lifetime 5 minutes (cli-oidc docs, "exp"); nbf = iat = now.
const token = await signToken(state, claims, lifetime || 300);
process.stdout.write(`${token}\n`);
