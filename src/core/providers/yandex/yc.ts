import { TokenExplorerError } from '../../errors';
import type { ProcessResult } from '../../ports';
import { type Remedy, missingCliRemedies } from '../../remedies';
import { errorLines, excerpt, failureHead, jsonFromStdout, runCli, tokenFromStdout } from '../cli';
import type { Account, Provider, ProviderContext } from '../provider';
import { assertSettingsValid, nonTextSettings, optionalString } from '../settings';

/** Yandex Cloud resource ids: 20 lower-case letters and digits (service accounts start `aje`). */
const RESOURCE_ID = /^[a-z0-9]{20}$/;
/** yc profile names as `yc config profile create` takes them; never starting with '-'. */
const PROFILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const TOKEN_CREATOR_ROLE = 'iam.serviceAccounts.tokenCreator';

/** The settings of a `yandex-cli` account. */
interface YcSettings {
  readonly serviceAccountId: string;
  readonly profile?: string;
  readonly folderId?: string;
}

function readSettings(account: Account): YcSettings {
  const s = account.settings;
  const profile = optionalString(s.profile);
  const folderId = optionalString(s.folderId);
  return {
    serviceAccountId: optionalString(s.serviceAccountId) ?? '',
    ...(profile ? { profile } : {}),
    ...(folderId ? { folderId } : {}),
  };
}

/** Problems with a profile name and a folder id, shared by minting and listing. */
function scopeProblems(profile: string | undefined, folderId: string | undefined): string[] {
  const problems: string[] = [];
  if (profile !== undefined && !PROFILE.test(profile)) {
    problems.push(
      `The yc profile "${profile}" may hold letters, digits, '_', '.' and '-', and must not start with '-' or '.'.`,
    );
  }
  if (folderId !== undefined && !RESOURCE_ID.test(folderId)) {
    problems.push(
      `The folder id "${folderId}" is not a Yandex Cloud id (20 lower-case letters and digits, e.g. b1g...).`,
    );
  }
  return problems;
}

/**
 * yc's error, for quoting: its first paragraph from the first `ERROR:` on (warnings before it
 * are noise), then the request and trace ids it prints for a failed API call (cloud support asks
 * for them), at most a few lines.
 */
function ycError(stderr: string): string {
  const lines = errorLines(stderr);
  const error = lines.findIndex((line) => line.startsWith('ERROR:'));
  const rest = lines.slice(error === -1 ? lines.findIndex((line) => line.trim() !== '') : error);
  const blank = rest.findIndex((line) => line.trim() === '');
  const paragraph = blank === -1 ? rest : rest.slice(0, blank);
  const ids =
    blank === -1 ? [] : rest.slice(blank).filter((l) => /^client-(request|trace)-id:/.test(l));
  return excerpt([...paragraph, ...ids]);
}

/** A readable command line for messages (yc takes no secret as an argument here). */
function shown(args: readonly string[]): string {
  return `yc ${args.join(' ')}`;
}

/**
 * Where the Yandex Cloud CLI installer puts yc when it is not on PATH: `$HOME/yandex-cloud/bin/yc`
 * (install.sh), `%USERPROFILE%\\yandex-cloud\\bin\\yc.exe` (install.ps1); see
 * https://yandex.cloud/en/docs/cli/operations/install-cli. The installer adds it to PATH only for
 * new login shells, so an editor started before that does not see it.
 */
export function installedYcPath(env: ProviderContext['env']): string {
  const windows = env.platform === 'win32';
  return [env.homeDir, 'yandex-cloud', 'bin', windows ? 'yc.exe' : 'yc'].join(windows ? '\\' : '/');
}

function runYc(
  context: ProviderContext,
  ycPath: string,
  args: readonly string[],
  signal?: AbortSignal,
): Promise<ProcessResult> {
  const run = (file: string, notFound: string) =>
    runCli(
      context.runner,
      file,
      args,
      { timeoutMs: context.timeoutMs, signal },
      {
        notFound: () => notFound,
        timeout: (seconds) =>
          `${shown(args)} did not finish within ${seconds} s and was stopped. Run it in a terminal: yc may be waiting for the network or for a sign-in in the browser (federated accounts).`,
        notFoundRemedies: missingCliRemedies('yc', 'tokenExplorer.yc.path'),
      },
    );
  if (ycPath !== 'yc') {
    return run(
      ycPath,
      `yc was not found at ${ycPath}. Install the Yandex Cloud CLI or set tokenExplorer.yc.path to its full path.`,
    );
  }
  const installed = installedYcPath(context.env);
  return run(ycPath, '').catch((error: unknown) => {
    if (!(error instanceof TokenExplorerError) || error.code !== 'cli-not-found') throw error;
    return run(
      installed,
      `yc was not found on PATH nor where its installer puts it (${installed}). Install the Yandex Cloud CLI or set tokenExplorer.yc.path to its full path.`,
    );
  });
}

/** The ids and the profile are the account's own settings. */
const EDIT_ACCOUNT: Remedy = { kind: 'editAccountSettings' };

/** How to name the profile in advice: `yc init --profile P`, or plain `yc init` for the active one. */
function initCommand(profile: string | undefined): string {
  return profile ? `yc init --profile ${profile}` : 'yc init';
}

/** The error for a failed yc run, with what to do for the failures users meet most. */
function failure(
  result: ProcessResult,
  args: readonly string[],
  scope: { profile?: string; serviceAccountId?: string; listing?: boolean },
): TokenExplorerError {
  const said = ycError(result.stderr);
  const head = failureHead(shown(args), result, said);
  if (/profile ['"][^'"]*['"] (?:was not found|is not exist|does not exist)/.test(said)) {
    return new TokenExplorerError(
      'bad-config',
      `${head}The yc profile does not exist. Pick one that \`yc config profile list\` shows, or create it with \`yc config profile create NAME\` and \`${initCommand(scope.profile)}\`.`,
      { remedies: [EDIT_ACCOUNT] },
    );
  }
  if (
    /code = Unauthenticated|iam token create failed|no credentials|yc init/i.test(said) &&
    !said.includes('PermissionDenied')
  ) {
    return new TokenExplorerError(
      'bad-credentials',
      `${head}yc has no valid sign-in for ${scope.profile ? `the profile "${scope.profile}"` : 'its active profile'}. Run \`${initCommand(scope.profile)}\` in a terminal (or set a service-account key in the profile), then try again.`,
      {
        remedies: [
          { kind: 'copyCommand', command: initCommand(scope.profile), label: 'Copy Command' },
        ],
      },
    );
  }
  if (said.includes('code = NotFound')) {
    return new TokenExplorerError(
      'bad-config',
      `${head}${scope.serviceAccountId ? `The service account ${scope.serviceAccountId}` : 'The folder or service account'} does not exist, or is in a cloud the profile cannot see. Check the id with \`yc iam service-account list --folder-id FOLDER_ID\`.`,
      { remedies: [EDIT_ACCOUNT] },
    );
  }
  if (said.includes('code = PermissionDenied')) {
    if (scope.listing) {
      return new TokenExplorerError(
        'permission-denied',
        `${head}Listing service accounts needs a role such as viewer or iam.serviceAccounts.user on the folder; you can still type the service account id yourself.`,
      );
    }
    const target = scope.serviceAccountId ?? 'SERVICE_ACCOUNT_ID';
    return new TokenExplorerError(
      'permission-denied',
      `${head}The account yc signs in with is not allowed to create tokens for the service account ${target}, or that service account does not exist. Check the id, and grant a role that allows creating tokens for the service account, e.g. ${TOKEN_CREATOR_ROLE}: yc iam service-account add-access-binding ${target} --role ${TOKEN_CREATOR_ROLE} --subject userAccount:YOUR_USER_ID (serviceAccount:ID when the profile signs in with a service-account key).`,
      { remedies: [EDIT_ACCOUNT] },
    );
  }
  if (/folder/i.test(said) && /not (?:set|specified)/i.test(said)) {
    return new TokenExplorerError(
      'bad-config',
      `${head}Give the folder id in the account settings, or set one in the profile: yc config set folder-id FOLDER_ID.`,
      { remedies: [EDIT_ACCOUNT] },
    );
  }
  return new TokenExplorerError(
    'cli-failed',
    `${head}Run the same command in a terminal to see the whole output.`,
  );
}

/** The global flags that pick a profile and folder, as `--flag=value`. */
function scopeArgs(profile: string | undefined, folderId: string | undefined): string[] {
  return [
    ...(profile ? [`--profile=${profile}`] : []),
    ...(folderId ? [`--folder-id=${folderId}`] : []),
  ];
}

/** The command line of `yc iam create-id-token` for an account and audience. */
function idTokenArgs(settings: YcSettings, audience: string): string[] {
  return [
    'iam',
    'create-id-token',
    `--subject-id=${settings.serviceAccountId}`,
    // Without --audience Yandex sets aud to the service account id.
    ...(audience ? [`--audience=${audience}`] : []),
    ...scopeArgs(settings.profile, settings.folderId),
  ];
}

/** The yc executable for an account: its own setting, else the machine-scoped one, else PATH. */
function ycPathFor(account: Account, context: ProviderContext): string {
  return optionalString(account.settings.ycPath) ?? context.ycPath ?? 'yc';
}

/**
 * Mints Yandex Cloud service-account ID tokens with the Yandex Cloud CLI:
 * `yc iam create-id-token --subject-id SA_ID [--audience AUD]`. Reads the account settings
 * `serviceAccountId` (required), `profile`, `folderId` and `ycPath`.
 */
export const yandexCliProvider: Provider = {
  kind: 'yandex-cli',
  label: 'Yandex Cloud: yc CLI',

  async mint(account, request, context) {
    assertSettingsValid(yandexCliProvider.validate(account), account);
    const settings = readSettings(account);
    const args = idTokenArgs(settings, request.audience.trim());
    const result = await runYc(context, ycPathFor(account, context), args, request.signal);
    if (result.exitCode !== 0) {
      throw failure(result, args, {
        serviceAccountId: settings.serviceAccountId,
        ...(settings.profile ? { profile: settings.profile } : {}),
      });
    }
    return tokenFromStdout(result.stdout, {
      tool: 'yc',
      command: shown(args),
      update: '`yc components update`',
    });
  },

  validate(account) {
    const problems = nonTextSettings(account.settings, [
      'ycPath',
      'serviceAccountId',
      'profile',
      'folderId',
    ]);
    if (problems.length > 0) return problems;
    const settings = readSettings(account);
    if (!settings.serviceAccountId) {
      problems.push('The service account id is required (yc iam service-account list shows it).');
    } else if (!RESOURCE_ID.test(settings.serviceAccountId)) {
      problems.push(
        `The service account id "${settings.serviceAccountId}" is not a Yandex Cloud id (20 lower-case letters and digits, e.g. aje...).`,
      );
    }
    problems.push(...scopeProblems(settings.profile, settings.folderId));
    return problems;
  },

  describe(account) {
    const { serviceAccountId, profile } = readSettings(account);
    const who = serviceAccountId || 'no service account';
    return `yc: ${who} (${profile ? `profile ${profile}` : 'active profile'})`;
  },
};

/**
 * The profiles of the Yandex Cloud CLI (`yc config profile list`, one name a line, the active
 * one followed by `ACTIVE`), for the wizard; undefined when yc is not installed there.
 */
export async function ycProfiles(
  context: ProviderContext,
  ycPath: string,
  signal?: AbortSignal,
): Promise<{ name: string; active: boolean }[] | undefined> {
  const args = ['config', 'profile', 'list'];
  let result: ProcessResult;
  try {
    result = await runYc(context, ycPath, args, signal);
  } catch (error) {
    if (error instanceof TokenExplorerError && error.code === 'cli-not-found') return undefined;
    throw error;
  }
  if (result.exitCode !== 0) throw failure(result, args, {});
  const profiles: { name: string; active: boolean }[] = [];
  for (const line of result.stdout.split(/\r?\n/)) {
    const [name, marker, ...rest] = line.trim().split(/\s+/);
    if (!name || rest.length > 0 || (marker !== undefined && marker !== 'ACTIVE')) continue;
    profiles.push({ name, active: marker === 'ACTIVE' });
  }
  return profiles;
}

/** A Yandex Cloud service account as the wizard lists it. */
export interface YcServiceAccount {
  id: string;
  name: string;
  folderId?: string;
  description?: string;
}

function parseJson(result: ProcessResult, args: readonly string[]): unknown {
  return jsonFromStdout(result.stdout, shown(args));
}

/**
 * The service accounts of a folder (`yc iam service-account list --format json`; the folder of
 * the profile when none is given), sorted by name. yc prints snake_case keys (`folder_id`); the
 * camelCase of the REST API (`folderId`) is accepted too.
 */
export async function ycListServiceAccounts(
  context: ProviderContext,
  ycPath: string,
  options: { folderId?: string; profile?: string },
  signal?: AbortSignal,
): Promise<YcServiceAccount[]> {
  const folderId = optionalString(options.folderId);
  const profile = optionalString(options.profile);
  const problems = scopeProblems(profile, folderId);
  if (problems.length > 0) throw new TokenExplorerError('bad-config', problems.join(' '));
  const args = ['iam', 'service-account', 'list', ...scopeArgs(profile, folderId), '--format=json'];
  const result = await runYc(context, ycPath, args, signal);
  if (result.exitCode !== 0) {
    throw failure(result, args, { listing: true, ...(profile ? { profile } : {}) });
  }
  const rows = parseJson(result, args);
  if (!Array.isArray(rows)) {
    throw new TokenExplorerError('bad-response', `${shown(args)} did not print a list.`);
  }
  const accounts: YcServiceAccount[] = [];
  for (const row of rows as (Record<string, unknown> | null)[]) {
    const id = optionalString(row?.id);
    if (!row || !id) continue;
    const rowFolder = optionalString(row.folder_id) ?? optionalString(row.folderId);
    const description = optionalString(row.description);
    accounts.push({
      id,
      name: optionalString(row.name) ?? id,
      ...(rowFolder ? { folderId: rowFolder } : {}),
      ...(description ? { description } : {}),
    });
  }
  return accounts.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
