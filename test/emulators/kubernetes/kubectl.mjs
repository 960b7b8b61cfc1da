#!/usr/bin/env node
// A fake kubectl for tests: `kubectl create token` only, with kubectl's flags, output (the bare
// token) and error texts. It asks the Kubernetes emulator (apiServer.ts) over real HTTPS, trusting
// the emulator's CA, so API errors arrive as the API server's Status messages. Its state is the
// JSON file named by FAKE_KUBECTL_STATE (see fakeKubectl.ts); instead of parsing a kubeconfig it
// takes its contexts from there. With FAKE_KUBECTL_LOG set, each invocation's arguments are
// appended to that file as one JSON line.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { writer } from '../terminalColour.mjs';

const argv = process.argv.slice(2);
if (process.env.FAKE_KUBECTL_LOG)
  appendFileSync(process.env.FAKE_KUBECTL_LOG, `${JSON.stringify(argv)}\n`);
const state = JSON.parse(readFileSync(process.env.FAKE_KUBECTL_STATE ?? '', 'utf8'));
const out = writer(process.stdout, state.colour === true);
const err = writer(process.stderr, state.colour === true);

/** Ends the command the way kubectl does: a message on stderr and exit code 1. */
class Exit extends Error {}

function fail(message) {
  err(`${message}\n`);
  process.exitCode = 1;
  throw new Exit();
}

const VALUED = new Set([
  'namespace',
  'audience',
  'duration',
  'context',
  'kubeconfig',
  'bound-object-kind',
  'bound-object-name',
  'bound-object-uid',
]);
const SHORT = { n: 'namespace' };

function parse(args) {
  const positional = [];
  const flags = { audience: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const eq = arg.indexOf('=');
    const raw = long ? arg.slice(2, eq === -1 ? undefined : eq) : arg.slice(1, 2);
    const name = long ? raw : SHORT[raw];
    if (!name || !VALUED.has(name)) {
      fail(
        `error: unknown ${long ? 'flag' : 'shorthand flag'}: ${long ? `--${raw}` : `'${raw}' in ${arg}`}\nSee 'kubectl create token --help' for usage.`,
      );
    }
    let value;
    if (long && eq !== -1) value = arg.slice(eq + 1);
    else if (!long && arg.length > 2) value = arg.slice(2).replace(/^=/, '');
    else if (i + 1 < args.length) value = args[++i];
    else
      fail(
        `error: flag needs an argument: --${name}\nSee 'kubectl create token --help' for usage.`,
      );
    if (name === 'audience') flags.audience.push(value);
    else flags[name] = value;
  }
  return { positional, flags };
}

const UNITS = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration, in seconds; undefined when invalid. */
function parseDuration(text) {
  if (text === '0') return 0;
  const match = /^([-+]?)((?:\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (!match) return undefined;
  let seconds = 0;
  for (const [, number, unit] of match[2].matchAll(/(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/g)) {
    seconds += Number(number) * UNITS[unit];
  }
  return match[1] === '-' ? -seconds : seconds;
}

function post(url, body, token) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: state.caPem,
        agent: false,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** How Go's net/http reports a failed connection. */
function goError(error, url) {
  const host = new URL(url).host;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `Post "${url}": dial tcp ${host}: connect: connection refused`;
    case 'ECONNRESET':
      return `Post "${url}": read tcp 127.0.0.1->${host}: read: connection reset by peer`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return `Post "${url}": tls: failed to verify certificate: x509: certificate signed by unknown authority`;
    default:
      return `Post "${url}": ${error.message}`;
  }
}

/**
 * `--bound-object-kind/-name/-uid` as kubectl checks them (kubernetes/kubectl
 * pkg/cmd/create/create_token.go `Validate`, `boundObjectKinds`: Pod, Secret, Node, all v1).
 */
const BOUND_KINDS = { Node: 'v1', Pod: 'v1', Secret: 'v1' };
function boundObjectRef(flags) {
  const kind = flags['bound-object-kind'];
  const name = flags['bound-object-name'];
  const uid = flags['bound-object-uid'];
  if (!kind) {
    if (name) fail('error: --bound-object-name can only be set if --bound-object-kind is provided');
    if (uid) fail('error: --bound-object-uid can only be set if --bound-object-kind is provided');
    return null;
  }
  if (!BOUND_KINDS[kind]) fail('error: supported --bound-object-kind values are Node, Pod, Secret');
  if (!name) fail('error: --bound-object-name is required if --bound-object-kind is provided');
  return { kind, apiVersion: BOUND_KINDS[kind], name, ...(uid ? { uid } : {}) };
}

async function createToken(positional, flags) {
  if (state.fault === 'old-kubectl') {
    fail(`error: unknown command "token" for "kubectl create"`);
  }
  if (flags.kubeconfig !== undefined && !existsSync(flags.kubeconfig)) {
    fail(`error: stat ${flags.kubeconfig}: no such file or directory`);
  }
  const contextName = flags.context ?? state.currentContext;
  const context = state.contexts?.[contextName];
  if (!context) {
    fail(`Error in configuration: context was not found for specified context: ${contextName}`);
  }
  const name = positional[2];
  if (!name || positional.length > 3) {
    fail(
      `error: exactly one SERVICE_ACCOUNT_NAME is required\nSee 'kubectl create token -h' for help and examples`,
    );
  }
  const namespace = flags.namespace ?? context.namespace ?? 'default';
  let expirationSeconds;
  if (flags.duration !== undefined) {
    const seconds = parseDuration(flags.duration);
    if (seconds === undefined) {
      fail(
        `error: invalid argument "${flags.duration}" for "--duration" flag: time: invalid duration "${flags.duration}"\nSee 'kubectl create token --help' for usage.`,
      );
    }
    if (seconds < 0) fail('error: --duration must be greater than or equal to 0');
    if (!Number.isInteger(seconds))
      fail('error: --duration cannot be expressed in units less than seconds');
    if (seconds > 0) expirationSeconds = seconds;
  }
  const url = `${state.server}/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`;
  const body = JSON.stringify({
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: {
      audiences: flags.audience.length ? flags.audience : null,
      ...(expirationSeconds !== undefined ? { expirationSeconds } : {}),
      boundObjectRef: boundObjectRef(flags),
    },
    status: { token: '', expirationTimestamp: null },
  });
  let answer;
  try {
    answer = await post(url, body, context.token);
  } catch (error) {
    fail(`error: failed to create token: ${goError(error, url)}`);
  }
  let json;
  try {
    json = JSON.parse(answer.text);
  } catch {
    fail(
      `error: failed to create token: the server responded with the status code ${answer.status} but did not return more information`,
    );
  }
  if (answer.status < 200 || answer.status > 299) {
    fail(
      `error: failed to create token: ${json.message ?? `an error on the server ("${answer.text}") has prevented the request from succeeding`}`,
    );
  }
  out(`${json.status.token}\n`);
}

async function main() {
  const { positional, flags } = parse(argv);
  if (positional[0] === 'create' && positional[1] === 'token') await createToken(positional, flags);
  else fail(`error: unknown command "${positional.join(' ')}" for "kubectl"`);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof Exit)) throw error;
}
