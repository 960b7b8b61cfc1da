import { TokenExplorerError } from '../../errors';
import type { ProcessResult } from '../../ports';
import { missingCliRemedies } from '../../remedies';
import { errorLines, excerpt, failureHead, jsonFromStdout, runCli, tokenFromStdout } from '../cli';
import { recogniseOfficialText } from '../officialTexts';
import type { Account, Provider, ProviderContext } from '../provider';
import { EMAIL } from './settings';
import { assertSettingsValid, nonTextSettings, optionalString } from '../settings';

/** gcloud configuration names: lower-case letters, digits and hyphens, starting with a letter. */
const CONFIGURATION = /^[a-z][-a-z0-9]*$/;

/** The settings of a `google-gcloud` account. */
interface GcloudSettings {
  readonly gcloudPath: string;
  readonly account?: string;
  /** One email, or a comma-separated delegation chain ending with the target. */
  readonly impersonateServiceAccount?: string;
  readonly includeEmail: boolean;
  readonly configuration?: string;
}

function readSettings(account: Account): GcloudSettings {
  const s = account.settings;
  const gcloudAccount = optionalString(s.account);
  const impersonate = optionalString(s.impersonateServiceAccount);
  const configuration = optionalString(s.configuration);
  return {
    gcloudPath: optionalString(s.gcloudPath) ?? 'gcloud',
    ...(gcloudAccount ? { account: gcloudAccount } : {}),
    ...(impersonate ? { impersonateServiceAccount: impersonate.replace(/\s+/g, '') } : {}),
    includeEmail: s.includeEmail === true,
    ...(configuration ? { configuration } : {}),
  };
}

/** The target of an impersonation chain (`a@x,b@y` mints for b@y). */
function targetOf(chain: string): string {
  return chain.split(',').at(-1) ?? chain;
}

/** gcloud's error, for quoting: the lines from the first `ERROR:` on (warnings before it are noise). */
function gcloudError(stderr: string): string {
  const lines = errorLines(stderr);
  const start = lines.findIndex((line) => line.startsWith('ERROR:'));
  return excerpt(lines.slice(start === -1 ? 0 : start));
}

/** A readable command line for messages (never holds a secret: gcloud takes none as argument). */
function shown(args: readonly string[]): string {
  return `gcloud ${args.filter((a) => a !== '--quiet').join(' ')}`;
}

function runGcloud(
  context: ProviderContext,
  gcloudPath: string,
  args: readonly string[],
  signal?: AbortSignal,
): Promise<ProcessResult> {
  return runCli(
    context.runner,
    gcloudPath,
    args,
    // Same as --quiet, for every command: gcloud must never wait for an answer on stdin.
    { timeoutMs: context.timeoutMs, env: { CLOUDSDK_CORE_DISABLE_PROMPTS: '1' }, signal },
    {
      notFound: () =>
        `gcloud was not found at ${gcloudPath}. Install the Google Cloud CLI or set tokenExplorer.gcloud.path to its full path.`,
      notFoundRemedies: missingCliRemedies('gcloud', 'tokenExplorer.gcloud.path'),
      timeout: (seconds) =>
        `${shown(args)} did not finish within ${seconds} s and was stopped. Run it in a terminal: gcloud may be waiting for the network or for you to sign in again.`,
    },
  );
}

/**
 * The error for a failed gcloud run: gcloud's own text quoted, with the advice the table of
 * official texts gives for it (./../officialTexts).
 */
function failure(
  result: ProcessResult,
  args: readonly string[],
  settings?: GcloudSettings,
): TokenExplorerError {
  const said = gcloudError(result.stderr);
  const head = failureHead(shown(args), result, said);
  const row = recogniseOfficialText('gcloud', result.stderr);
  if (!row) {
    return new TokenExplorerError(
      'cli-failed',
      `${head}Run the same command in a terminal to see the whole output.`,
    );
  }
  const target = settings?.impersonateServiceAccount
    ? targetOf(settings.impersonateServiceAccount)
    : undefined;
  const context = {
    ...(settings?.account ? { account: settings.account } : {}),
    ...(target ? { target } : {}),
  };
  return new TokenExplorerError(row.code, `${head}${row.advice(context)}`, {
    remedies: row.remedies?.(context) ?? [],
  });
}

/** The command line of `gcloud auth print-identity-token` for an account and audience. */
function identityArgs(settings: GcloudSettings, audience: string): string[] {
  const args = ['auth', 'print-identity-token'];
  if (settings.account) args.push(settings.account);
  // Without an audience gcloud prints the user's own ID token (aud = gcloud's OAuth client).
  if (audience) args.push(`--audiences=${audience}`);
  if (settings.impersonateServiceAccount) {
    args.push(`--impersonate-service-account=${settings.impersonateServiceAccount}`);
  }
  if (settings.includeEmail) args.push('--include-email');
  if (settings.configuration) args.push(`--configuration=${settings.configuration}`);
  args.push('--quiet');
  return args;
}

/** Mints ID tokens with the Google Cloud CLI: `gcloud auth print-identity-token`. */
export const gcloudProvider: Provider = {
  kind: 'google-gcloud',
  label: 'Google Cloud: gcloud CLI',

  async mint(account, request, context) {
    assertSettingsValid(gcloudProvider.validate(account), account);
    const settings = readSettings(account);
    const args = identityArgs(settings, request.audience.trim());
    // An account may name its own gcloud; otherwise the machine-scoped setting (context) decides.
    const gcloudPath =
      optionalString(account.settings.gcloudPath) ?? context.gcloudPath ?? 'gcloud';
    const result = await runGcloud(context, gcloudPath, args, request.signal);
    if (result.exitCode !== 0) throw failure(result, args, settings);
    return tokenFromStdout(result.stdout, { tool: 'gcloud', command: shown(args) });
  },

  validate(account) {
    const s = account.settings;
    const problems = nonTextSettings(s, [
      'gcloudPath',
      'account',
      'impersonateServiceAccount',
      'configuration',
    ]);
    if (s.includeEmail !== undefined && typeof s.includeEmail !== 'boolean') {
      problems.push('"includeEmail" must be true or false.');
    }
    if (problems.length > 0) return problems;
    const settings = readSettings(account);
    if (settings.account && !EMAIL.test(settings.account)) {
      problems.push(`The gcloud account "${settings.account}" must be an email address.`);
    }
    const chain = settings.impersonateServiceAccount;
    if (chain && !chain.split(',').every((email) => EMAIL.test(email))) {
      problems.push(
        'The service account to impersonate must be an email (or a comma-separated delegation chain of emails).',
      );
    }
    if (settings.configuration && !CONFIGURATION.test(settings.configuration)) {
      problems.push(
        'The gcloud configuration name may hold lower-case letters, digits and hyphens, starting with a letter.',
      );
    }
    if (settings.includeEmail && !chain) {
      problems.push('"Include email" only applies when impersonating a service account.');
    }
    return problems;
  },

  describe(account) {
    const { account: who, impersonateServiceAccount: chain } = readSettings(account);
    const as = who ?? 'active account';
    return chain ? `gcloud: ${targetOf(chain)} (impersonated by ${as})` : `gcloud: ${as}`;
  },
};

function parseJson(result: ProcessResult, args: readonly string[]): unknown {
  return jsonFromStdout(result.stdout, shown(args));
}

/**
 * The account and project of gcloud's active configuration (`gcloud config list --format=json`),
 * for the wizard; undefined when gcloud is not installed there.
 */
export async function gcloudActiveAccount(
  context: ProviderContext,
  gcloudPath: string,
  signal?: AbortSignal,
): Promise<{ account?: string; project?: string } | undefined> {
  const args = ['config', 'list', '--format=json', '--quiet'];
  let result: ProcessResult;
  try {
    result = await runGcloud(context, gcloudPath, args, signal);
  } catch (error) {
    if (error instanceof TokenExplorerError && error.code === 'cli-not-found') return undefined;
    throw error;
  }
  if (result.exitCode !== 0) throw failure(result, args);
  const core = (parseJson(result, args) as { core?: Record<string, unknown> } | null)?.core;
  const account = optionalString(core?.account);
  const project = optionalString(core?.project);
  return { ...(account ? { account } : {}), ...(project ? { project } : {}) };
}

/** A service account as the wizard lists it. */
export interface ListedServiceAccount {
  email: string;
  displayName?: string;
  disabled?: boolean;
  uniqueId?: string;
}

/**
 * The service accounts of a project (`gcloud iam service-accounts list --format=json`, the IAM
 * API's ServiceAccount resources), sorted by email.
 */
export async function gcloudListServiceAccounts(
  context: ProviderContext,
  gcloudPath: string,
  project: string,
  signal?: AbortSignal,
): Promise<ListedServiceAccount[]> {
  if (!/^[a-z][-a-z0-9.:]*$/.test(project)) {
    throw new TokenExplorerError('bad-config', `"${project}" is not a Google Cloud project id.`);
  }
  const args = [
    'iam',
    'service-accounts',
    'list',
    `--project=${project}`,
    '--format=json',
    '--quiet',
  ];
  const result = await runGcloud(context, gcloudPath, args, signal);
  if (result.exitCode !== 0) throw failure(result, args);
  const rows = parseJson(result, args);
  if (!Array.isArray(rows)) {
    throw new TokenExplorerError('bad-response', `${shown(args)} did not print a list.`);
  }
  const accounts: ListedServiceAccount[] = [];
  for (const row of rows as Record<string, unknown>[]) {
    const email = optionalString(row?.email);
    if (!email) continue;
    const displayName = optionalString(row.displayName);
    const uniqueId = optionalString(row.uniqueId);
    accounts.push({
      email,
      ...(displayName ? { displayName } : {}),
      ...(row.disabled === true ? { disabled: true } : {}),
      ...(uniqueId ? { uniqueId } : {}),
    });
  }
  return accounts.sort((a, b) => a.email.localeCompare(b.email));
}
