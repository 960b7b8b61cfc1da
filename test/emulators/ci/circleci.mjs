#!/usr/bin/env node
// A fake CircleCI CLI for tests: `circleci run oidc get --claims '{"aud": "…"}'` only, which
// prints a job ID token for a custom audience on stdout; "Only the aud claim is customizable" and
// the command works only within a job, not locally
// (https://circleci.com/docs/oidc-tokens-with-custom-claims/). Tokens follow
// https://circleci.com/docs/openid-connect-tokens/ (issuer https://oidc.circleci.com/org/ORG,
// one-hour lifetime). Whether the CLI's token has the V1 or the V2 subject is unconfirmed: this
// fake gives the V2 one. State: FAKE_CIRCLECI_STATE (see fakeCiClis.ts); each run's arguments are
// appended to FAKE_CIRCLECI_LOG.
import { startRun } from '../fakeCliScript.mjs';
import { signToken, circleciClaims } from './signing.mjs';

const { argv, state } = startRun('CIRCLECI');

function fail(message) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

if (argv.slice(0, 3).join(' ') !== 'run oidc get')
  fail(`unknown command "${argv.slice(0, 3).join(' ')}" for "circleci"`); // unconfirmed wording (cobra)
let claimsText;
for (let i = 3; i < argv.length; i++) {
  if (argv[i] === '--claims') claimsText = argv[++i];
  else if (argv[i].startsWith('--claims=')) claimsText = argv[i].slice('--claims='.length);
  else fail(`unknown flag: ${argv[i]}`); // unconfirmed wording (cobra)
}
// "The circleci run oidc commands cannot be run locally via the CLI, only within a job"; the
// CLI's own text for it is unconfirmed.
if (process.env.CIRCLECI !== 'true') fail('this command can only be run inside a CircleCI job');
let claims;
try {
  claims = JSON.parse(claimsText ?? '{}');
} catch {
  fail('--claims is not valid JSON'); // unconfirmed wording
}
const keys = Object.keys(claims);
// "Customize the aud claim. Only the aud claim is customizable." (wording of the refusal unconfirmed)
if (keys.some((key) => key !== 'aud'))
  fail(`only the "aud" claim may be customised, got: ${keys.join(', ')}`);
const token = await signToken(state, { ...circleciClaims(state, 'v2'), ...claims }, 3600);
process.stdout.write(`${token}\n`);
