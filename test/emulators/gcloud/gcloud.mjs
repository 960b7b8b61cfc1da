#!/usr/bin/env node
// A fake Google Cloud CLI for tests. It answers the few commands Token Explorer runs with gcloud's
// documented output formats and error texts, and signs real RS256 ID tokens. Its state is the
// JSON file named by FAKE_GCLOUD_STATE (see fakeGcloud.ts for the schema). When FAKE_GCLOUD_LOG
// is set, each invocation's arguments are appended to that file as one JSON line.
// `jose` is resolved from the repository's node_modules, found by walking up from this file.
import { randomBytes } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import { parseLongFlags, playFault, startRun } from '../fakeCliScript.mjs';
import { writer } from '../terminalColour.mjs';

/** The OAuth client gcloud signs users in with; the `aud` of a user's own ID token. */
const GCLOUD_CLIENT_ID = '32555940559.apps.googleusercontent.com';

const { argv, state } = startRun('GCLOUD');
const out = writer(process.stdout, state.colour === true);
const err = writer(process.stderr, state.colour === true);

/** Flags that take a value, as `--flag=value` or `--flag value`. */
const VALUED = new Set([
  'audiences',
  'impersonate-service-account',
  'configuration',
  'project',
  'format',
  'account',
  'verbosity',
]);
/** Flags without a value. */
const SWITCHES = new Set(['include-email', 'quiet']);

/** Ends the command the way gcloud does: an ERROR line on stderr and a non-zero exit code. */
class Exit extends Error {}

function fail(command, message, code = 1) {
  err(`ERROR: (${command}) ${message}\n`);
  process.exitCode = code;
  throw new Exit();
}

/** gcloud's JSON printer: two-space indent, keys sorted. */
function printJson(value) {
  const sort = (v) =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort(v[k])]),
          )
        : v;
  out(`${JSON.stringify(sort(value), null, 2)}\n`);
}

let positional = [];
let flags = {};
let config = {};
const accounts = state.accounts ?? [];
const serviceAccounts = state.serviceAccounts ?? [];

function noActiveAccount(command) {
  fail(
    command,
    'You do not currently have an active account selected.\nPlease run:\n\n  $ gcloud auth login\n\nto obtain new credentials.\n\nIf you have already logged in with a different account, run:\n\n  $ gcloud config set account ACCOUNT\n\nto select an already authenticated account to use.',
  );
}

/** The credentialed account to act as, failing like gcloud when there is none. */
function credentialed(command, email) {
  if (!email) noActiveAccount(command);
  const account = accounts.find((a) => a.email === email);
  if (!account) {
    fail(
      command,
      `Your current active account [${email}] does not have any valid credentials\nPlease run:\n\n  $ gcloud auth login\n\nto obtain new credentials.\n\nFor service account, please activate it first:\n\n  $ gcloud auth activate-service-account ACCOUNT`,
    );
  }
  if (state.fault === 'reauth') {
    // google-auth reauth.py: a reauthentication challenge cannot be answered without a terminal.
    fail(
      command,
      'There was a problem refreshing your current auth tokens: Reauthentication failed. cannot prompt during non-interactive execution.\nPlease run:\n\n  $ gcloud auth login\n\nto obtain new credentials.',
    );
  }
  if (state.fault === 'reauth-required') {
    // Cloud SDK core/credentials/store.py WebLoginRequiredReauthError, after the notice gcloud
    // prints first (as quoted in public reports: "Reauthentication required.\nERROR: ...").
    err('Reauthentication required.\n');
    fail(command, 'Please run:\n\n  $ gcloud auth login\n\nto complete reauthentication.');
  }
  if (state.fault === 'key-revoked' && account.type === 'service_account') {
    // store.py TokenRefreshError around the token endpoint's answer for a deleted key; gcloud
    // then suggests `gcloud auth login` even for a service account.
    fail(
      command,
      "There was a problem refreshing your current auth tokens: ('invalid_grant: Invalid JWT Signature.', {'error': 'invalid_grant', 'error_description': 'Invalid JWT Signature.'})\nPlease run:\n\n  $ gcloud auth login\n\nto obtain new credentials.\n\nIf you have already logged in with a different account, run:\n\n  $ gcloud config set account ACCOUNT\n\nto select an already authenticated account to use.",
    );
  }
  return account;
}

async function sign(claims) {
  const key = await importJWK(state.signingKey.privateJwk, 'RS256');
  const iat = state.now ?? Math.floor(Date.now() / 1000);
  return new SignJWT({
    ...claims,
    iss: state.issuer ?? 'https://accounts.google.com',
    iat,
    exp: iat + 3600,
  })
    .setProtectedHeader({ alg: 'RS256', kid: state.signingKey.kid, typ: 'JWT' })
    .sign(key);
}

async function printIdentityToken() {
  const command = 'gcloud.auth.print-identity-token';
  if (positional.length > 3)
    fail(command, `unrecognized arguments: ${positional.slice(3).join(' ')}`, 2);
  const caller = credentialed(command, positional[2] ?? config.account);
  const audience = flags.audiences;
  if (audience !== undefined && audience.includes(',')) {
    fail(command, 'Invalid value for [--audiences]: Only one audience is supported.', 2);
  }
  if (playFault(state.fault, out)) return;
  let claims;
  if (flags['impersonate-service-account']) {
    const chain = flags['impersonate-service-account'].split(',');
    err(
      `WARNING: This command is using service account impersonation. All API calls will be executed as [${chain.at(-1)}].\n`,
    );
    // gcloud mints an access token for the target first (generateAccessToken, permission
    // iam.serviceAccounts.getAccessToken, in roles/iam.serviceAccountTokenCreator only) and then
    // asks generateIdToken with it: Cloud SDK api_lib/iamcredentials/util.py
    // GetElevationAccessTokenGoogleAuth, then GetElevationIdTokenGoogleAuth. A failed first step
    // prints its "Failed to impersonate" text before IAM's message and ErrorInfo details, as
    // quoted in public reports of `gcloud ... --impersonate-service-account`.
    let actor = caller.email;
    let target;
    for (const email of chain) {
      target = serviceAccounts.find((sa) => sa.email === email);
      if (!target || target.disabled || !(target.impersonators ?? []).includes(actor)) {
        const impersonated = chain.at(-1);
        fail(
          command,
          `PERMISSION_DENIED: Failed to impersonate [${impersonated}]. Make sure the account that's trying to impersonate it has access to the service account itself and the "roles/iam.serviceAccountTokenCreator" role. Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist). This command is authenticated as ${caller.email} which is the active account specified by the [core/account] property. Impersonation is used to impersonate ${impersonated}.\n- '@type': type.googleapis.com/google.rpc.ErrorInfo\n  domain: iam.googleapis.com\n  metadata:\n    permission: iam.serviceAccounts.getAccessToken\n  reason: IAM_PERMISSION_DENIED`,
        );
      }
      actor = email;
    }
    // What IAM Credentials generateIdToken returns: email only with includeEmail.
    claims = { aud: audience ?? GCLOUD_CLIENT_ID, azp: target.uniqueId, sub: target.uniqueId };
    if (flags['include-email'])
      Object.assign(claims, { email: target.email, email_verified: true });
  } else if (caller.type === 'user') {
    if (audience !== undefined) {
      // Cloud SDK surface/auth/print_identity_token.py; older releases spelt it "account Type".
      const type = state.fault === 'old-release' ? 'Type' : 'type';
      fail(command, `Invalid account ${type} for \`--audiences\`. Requires valid service account.`);
    }
    claims = {
      aud: GCLOUD_CLIENT_ID,
      azp: GCLOUD_CLIENT_ID,
      sub: caller.uniqueId,
      email: caller.email,
      email_verified: true,
      at_hash: randomBytes(16).toString('base64url'),
    };
  } else {
    // A service account activated with a key. Without --audiences gcloud asks for its own
    // client id as the audience (unconfirmed; no source settled the default).
    claims = {
      aud: audience ?? GCLOUD_CLIENT_ID,
      azp: caller.email,
      sub: caller.uniqueId,
      email: caller.email,
      email_verified: true,
    };
  }
  out(`${await sign(claims)}\n`);
}

function configList() {
  err(`\nYour active configuration is: [${flags.configuration ?? 'default'}]\n`);
  const core = {
    ...(config.account ? { account: config.account } : {}),
    disable_usage_reporting: 'True',
    ...(config.project ? { project: config.project } : {}),
  };
  if (flags.format === 'json') {
    printJson({ core });
    return;
  }
  out(
    `[core]\n${Object.entries(core)
      .map(([k, v]) => `${k} = ${v}\n`)
      .join('')}`,
  );
}

function configGetValue() {
  const property = positional[2];
  const name = property?.replace(/^core\//, '');
  const value = name === 'account' || name === 'project' ? config[name] : undefined;
  if (value) out(`${value}\n`);
  else err('(unset)\n');
}

function authList() {
  const rows = accounts.map((a) => ({
    account: a.email,
    status: a.email === config.account ? 'ACTIVE' : '',
  }));
  if (flags.format === 'json') {
    printJson(rows);
    return;
  }
  if (rows.length === 0) {
    err('No credentialed accounts.\n\nTo login, run:\n  $ gcloud auth login `ACCOUNT`\n\n');
    return;
  }
  out(
    `Credentialed Accounts\nACTIVE  ACCOUNT\n${rows.map((r) => `${r.status ? '*' : ' '}       ${r.account}\n`).join('')}`,
  );
}

function serviceAccountsList() {
  const command = 'gcloud.iam.service-accounts.list';
  credentialed(command, config.account);
  const project = config.project;
  if (!project) {
    fail(
      command,
      'The required property [project] is not currently set.\nIt can be set on a per-command basis by re-running your command with the [--project] flag.\n\nYou may set it for your current workspace by running:\n\n  $ gcloud config set project VALUE\n\nor it can be set temporarily by the environment variable [CLOUDSDK_CORE_PROJECT]',
    );
  }
  if ((state.deniedProjects ?? []).includes(project)) {
    fail(
      command,
      `PERMISSION_DENIED: Permission 'iam.serviceAccounts.list' denied on resource (or it may not exist).`,
    );
  }
  const projectOf = (sa) => sa.projectId ?? /@([^.]+)\./.exec(sa.email)?.[1];
  // The IAM API's ServiceAccount resource; `disabled` and `description` only when set.
  const rows = serviceAccounts
    .filter((sa) => projectOf(sa) === project)
    .map((sa) => ({
      email: sa.email,
      name: `projects/${project}/serviceAccounts/${sa.email}`,
      projectId: project,
      uniqueId: sa.uniqueId,
      oauth2ClientId: sa.uniqueId,
      etag: 'MDEwMjE5MjA=',
      ...(sa.displayName ? { displayName: sa.displayName } : {}),
      ...(sa.description ? { description: sa.description } : {}),
      ...(sa.disabled ? { disabled: true } : {}),
    }));
  if (flags.format === 'json') {
    printJson(rows);
    return;
  }
  if (rows.length === 0) {
    err('Listed 0 items.\n');
    return;
  }
  out(
    `DISPLAY NAME  EMAIL  DISABLED\n${rows.map((r) => `${r.displayName ?? ''}  ${r.email}  ${r.disabled ? 'True' : 'False'}\n`).join('')}`,
  );
}

async function main() {
  const parsed = parseLongFlags(argv, VALUED, SWITCHES, { '-q': 'quiet' });
  const groupLength = argv[0] === 'iam' ? 3 : 2;
  const commandName = ['gcloud', ...parsed.positional.slice(0, groupLength)].join('.');
  const { problem } = parsed;
  if (problem?.kind === 'missing') {
    fail(commandName, `argument --${problem.name}: expected one argument`, 2);
  } else if (problem) {
    fail(commandName, `unrecognized arguments: ${problem.arg}`, 2);
  }
  ({ positional, flags } = parsed);

  // The active configuration: the default one, or the one named by --configuration.
  config = { account: state.activeAccount ?? undefined, project: state.project ?? undefined };
  if (flags.configuration !== undefined && flags.configuration !== 'default') {
    const named = state.configurations?.[flags.configuration];
    // Unconfirmed wording: gcloud's text for an unknown --configuration was not found in a source.
    if (!named)
      fail('gcloud', `Cannot activate configuration [${flags.configuration}], it does not exist.`);
    config = { account: named.account, project: named.project };
  }
  if (flags.project) config.project = flags.project;
  if (flags.account) config.account = flags.account;

  const [group, verb, third] = positional;
  if (group === 'auth' && verb === 'print-identity-token') await printIdentityToken();
  else if (group === 'config' && verb === 'list') configList();
  else if (group === 'config' && verb === 'get-value') configGetValue();
  else if (group === 'auth' && verb === 'list') authList();
  else if (group === 'iam' && verb === 'service-accounts' && third === 'list')
    serviceAccountsList();
  else fail('gcloud', `Invalid choice: '${positional.join(' ')}'.`, 2);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof Exit)) throw error;
}
