// A fake `aws` CLI (v2) for `sts get-web-identity-token`: it reads its profiles from the state
// file, signs the Query API call as the CLI does and sends it to the STS emulator, then prints
// what the CLI prints. Outputs and exit codes:
// - success: the JSON of the operation's output (`--output json`), timestamps as ISO 8601 with
//   microseconds and +00:00 (the API reference's CLI sample: "2025-11-11T22:44:21.703000+00:00");
// - a service error: "\nAn error occurred (CODE) when calling the GetWebIdentityToken operation:
//   MESSAGE" on stderr, exit 254 (botocore ClientError text; return codes:
//   https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-returncodes.html);
// - usage errors exit 252 ("aws: error: the following arguments are required: …", "argument
//   operation: Invalid choice, valid choices are:" from awscli/argparser.py);
// - "Unable to locate credentials. You can configure credentials by running \"aws configure\"."
//   (botocore NoCredentialsError) and "You must specify a region. …" (NoRegionError), exit 253;
// - "The config profile (NAME) could not be found" (ProfileNotFound) and SSO's "Error when
//   retrieving token from sso: Token has expired and refresh failed" exit 255.
import aws4 from 'aws4';
import { startRun } from '../fakeCliScript.mjs';

const { argv, state } = startRun('AWS');

function fail(code, text) {
  process.stderr.write(text);
  process.exit(code);
}

const USAGE =
  'usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n\n';

if (argv[0] === 'configure' && argv[1] === 'list-profiles') {
  process.stdout.write(
    Object.keys(state.profiles)
      .map((name) => `${name}\n`)
      .join(''),
  );
  process.exit(0);
}
if (argv[0] !== 'sts' || argv[1] !== 'get-web-identity-token' || state.outdated) {
  fail(
    252,
    `${USAGE}aws: error: argument operation: Invalid choice, valid choices are:\n\nassume-role                              | get-caller-identity\n`,
  );
}

/** `--name value…` options; a flag takes the values up to the next `--`. */
const options = {};
for (let i = 2; i < argv.length; i++) {
  const name = argv[i];
  if (!name.startsWith('--')) fail(252, `${USAGE}Unknown options: ${name}\n`);
  const values = [];
  while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
  options[name.slice(2)] = values;
}
for (const required of ['audience', 'signing-algorithm']) {
  if (!options[required]?.length) {
    fail(252, `${USAGE}aws: error: the following arguments are required: --${required}\n`);
  }
}

const profileName = options.profile?.[0] ?? state.defaultProfile ?? 'default';
const profile = state.profiles[profileName];
if (!profile) fail(255, `\nThe config profile (${profileName}) could not be found\n`);
if (profile.ssoExpired) {
  fail(255, '\nError when retrieving token from sso: Token has expired and refresh failed\n');
}
if (!profile.accessKeyId) {
  fail(
    253,
    '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n',
  );
}
const region = options.region?.[0] ?? profile.region;
if (!region) {
  fail(
    253,
    '\nYou must specify a region. You can also configure your region by running "aws configure".\n',
  );
}

const form = new URLSearchParams({ Action: 'GetWebIdentityToken', Version: '2011-06-15' });
options.audience.forEach((aud, i) => form.append(`Audience.member.${i + 1}`, aud));
form.append('SigningAlgorithm', options['signing-algorithm'][0]);
if (options['duration-seconds']) form.append('DurationSeconds', options['duration-seconds'][0]);
if (options.tags) {
  JSON.parse(options.tags[0]).forEach((tag, i) => {
    form.append(`Tags.member.${i + 1}.Key`, tag.Key);
    form.append(`Tags.member.${i + 1}.Value`, tag.Value);
  });
}
const body = form.toString();
const endpoint = new URL(options['endpoint-url']?.[0] ?? state.endpoint);
const signed = aws4.sign(
  {
    host: endpoint.host,
    path: '/',
    method: 'POST',
    service: 'sts',
    region,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  },
  {
    accessKeyId: profile.accessKeyId,
    secretAccessKey: profile.secretAccessKey,
    ...(profile.sessionToken ? { sessionToken: profile.sessionToken } : {}),
  },
);
// fetch sets Host and Content-Length itself (to the same values that were signed).
const headers = Object.fromEntries(
  Object.entries(signed.headers).filter(
    ([name]) => !['host', 'content-length'].includes(name.toLowerCase()),
  ),
);
const response = await fetch(new URL('/', endpoint), { method: 'POST', headers, body });
const xml = await response.text();
const element = (name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
if (!response.ok) {
  const message = (element('Message') ?? '').replace(/&#(\d+);/g, (_, n) =>
    String.fromCharCode(Number(n)),
  );
  fail(
    254,
    `\nAn error occurred (${element('Code')}) when calling the GetWebIdentityToken operation: ${message}\n`,
  );
}
const expiration = element('Expiration').replace(/\.\d{3}Z$|Z$/, '.000000+00:00');
process.stdout.write(
  `${JSON.stringify({ WebIdentityToken: element('WebIdentityToken'), Expiration: expiration }, null, 4)}\n`,
);
