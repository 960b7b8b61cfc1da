#!/usr/bin/env node
// A fake Yandex Cloud CLI for tests. It answers the few commands Token Explorer runs with yc's
// output formats and error texts, and signs real ID tokens (RS256 by default, PS256 on request).
// Its state is the JSON file named by FAKE_YC_STATE (see fakeYc.ts for the schema). When
// FAKE_YC_LOG is set, each invocation's arguments are appended to that file as one JSON line.
// `jose` is resolved from the repository's node_modules, found by walking up from this file.
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import { parseLongFlags, playFault, startRun } from '../fakeCliScript.mjs';
import { writer } from '../terminalColour.mjs';

const { argv, state } = startRun('YC');
const out = writer(process.stdout, state.colour === true);
const err = writer(process.stderr, state.colour === true);

/** Flags that take a value, as `--flag=value` or `--flag value` (yc's flags are pflag's). */
const VALUED = new Set(['subject-id', 'audience', 'profile', 'folder-id', 'cloud-id', 'format']);
/** Flags without a value. */
const SWITCHES = new Set(['no-user-output', 'no-browser', 'debug']);

/** Ends the command the way yc does: an ERROR line on stderr and exit code 1. */
class Exit extends Error {}

function fail(message) {
  err(`ERROR: ${message}\n`);
  process.exitCode = 1;
  throw new Exit();
}

/** A failed API call: yc adds the request ids after the gRPC status. */
function rpcFail(code, desc) {
  err(
    `ERROR: rpc error: code = ${code} desc = ${desc}\n\nclient-request-id: ${randomUUID()}\nclient-trace-id: ${randomUUID()}\n\nUse client-trace-id for investigation of issues in cloud support\n`,
  );
  process.exitCode = 1;
  throw new Exit();
}

let positional = [];
let flags = {};
const profiles = state.profiles ?? {};
const serviceAccounts = state.serviceAccounts ?? [];

/** The profile a command runs with: --profile, else the active one. */
function currentProfile() {
  const name = flags.profile ?? state.activeProfile ?? '';
  const profile = profiles[name];
  if (!profile) {
    // yc 1.35 prints these two lines for a missing active profile (seen for the empty name in
    // CI logs); the same text for an unknown --profile is unconfirmed.
    fail(
      `failed to initialize SDK: failed to create active profile\nfailed to create active profile '${name}': profile '${name}' was not found`,
    );
  }
  return { name, ...profile };
}

/** Fails like yc when the profile holds no usable credentials. */
function authenticated(profile) {
  if (!profile.hasToken) {
    // Unconfirmed wording: no source showed yc's text for a profile without credentials.
    fail(
      `no credentials found in profile '${profile.name}': set token, service-account-key or federation-id with "yc init"`,
    );
  }
  if (profile.tokenExpired) {
    // Wording seen in yc output when the profile's OAuth token is no longer accepted.
    err(
      `ERROR: iam token create failed: rpc error: code = Unauthenticated desc = OAuth token is invalid or expired\n\n\nclient-trace-id: ${randomUUID()}\n\nUse client-trace-id for investigation of issues in cloud support\n`,
    );
    process.exitCode = 1;
    throw new Exit();
  }
}

async function sign(serviceAccount, audience) {
  const alg = state.signingKey.alg ?? 'RS256';
  const key = await importJWK(state.signingKey.privateJwk, alg);
  const iat = state.now ?? Math.floor(Date.now() / 1000);
  return new SignJWT({
    // The issuer the ID-token concept page gives (https://yandex.cloud/en/docs/iam/concepts/authorization/id-token:
    // "iss: URL of the Yandex Cloud OIDC provider, https://auth.cloud.yandex.com").
    iss: state.issuer ?? 'https://auth.cloud.yandex.com',
    sub: serviceAccount.id,
    aud: audience ?? serviceAccount.id,
    iat,
    exp: iat + 3600,
    jti: randomBytes(16).toString('hex'),
  })
    .setProtectedHeader({ kid: state.signingKey.kid, alg })
    .sign(key);
}

async function createIdToken() {
  const profile = currentProfile();
  const subjectId = flags['subject-id'];
  // Unconfirmed wording (cobra's text for a missing required flag).
  if (!subjectId) fail('required flag(s) "subject-id" not set');
  authenticated(profile);
  if (playFault(state.fault, out)) return;
  const target = serviceAccounts.find((sa) => sa.id === subjectId);
  if (!target) rpcFail('NotFound', `Service account ${subjectId} not found`);
  if (!(target.tokenCreators ?? []).includes(profile.name)) {
    rpcFail('PermissionDenied', 'Permission denied');
  }
  out(`${await sign(target, flags.audience)}\n`);
}

function profileList() {
  for (const name of Object.keys(profiles).sort()) {
    out(`${name}${name === state.activeProfile ? ' ACTIVE' : ''}\n`);
  }
}

/** yc's rows: snake_case keys as `--format json` prints them, or camelCase when asked. */
function serviceAccountRow(sa) {
  const camel = state.listKeyCase === 'camel';
  const row = {
    id: sa.id,
    [camel ? 'folderId' : 'folder_id']: sa.folderId,
    [camel ? 'createdAt' : 'created_at']: sa.createdAt,
    name: sa.name,
  };
  if (sa.description) row.description = sa.description;
  if (sa.lastAuthenticatedAt) {
    row[camel ? 'lastAuthenticatedAt' : 'last_authenticated_at'] = sa.lastAuthenticatedAt;
  }
  return row;
}

/** yc's tables show times as `2024-09-08 18:59:45` (UTC). */
function tableTime(row) {
  return new Date(row.created_at ?? row.createdAt).toISOString().slice(0, 19).replace('T', ' ');
}

function serviceAccountList() {
  const profile = currentProfile();
  authenticated(profile);
  const folderId = flags['folder-id'] ?? profile.folderId;
  // Unconfirmed wording: no source showed yc's text for a command without a folder.
  if (!folderId) fail('folder is not set: use --folder-id or set folder-id in the profile');
  if ((state.deniedFolders ?? []).includes(folderId)) {
    rpcFail('PermissionDenied', 'Permission denied');
  }
  const rows = serviceAccounts.filter((sa) => sa.folderId === folderId).map(serviceAccountRow);
  if (flags.format === 'json') {
    out(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const line = '+----------------------+------------------+--------+---------------------+';
  out(
    `${line}\n|          ID          |       NAME       | LABELS |     CREATED AT      |\n${line}\n${rows
      .map((r) => `| ${r.id} | ${r.name.padEnd(16)} |        | ${tableTime(r)} |\n`)
      .join('')}${line}\n\n`,
  );
}

async function main() {
  const { problem, ...parsed } = parseLongFlags(argv, VALUED, SWITCHES);
  // Unconfirmed wordings (pflag's texts, which yc is built on).
  if (problem?.kind === 'missing') fail(`flag needs an argument: --${problem.name}`);
  else if (problem) fail(`unknown flag: --${problem.name}`);
  ({ positional, flags } = parsed);
  const [group, command, verb] = positional;
  if (group === 'iam' && command === 'create-id-token') await createIdToken();
  else if (group === 'config' && command === 'profile' && verb === 'list') profileList();
  else if (group === 'iam' && command === 'service-account' && verb === 'list')
    serviceAccountList();
  // Unconfirmed wording (cobra's text for an unknown command).
  else fail(`unknown command "${positional.join(' ')}" for "yc"`);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof Exit)) throw error;
}
