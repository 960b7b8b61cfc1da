import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { serviceAccountKeyProvider } from '../core/providers/google/serviceAccountKey';
import type { Logger } from '../core/ports';
import type { Account } from '../core/providers/provider';
import { type Remedy, applicableRemedies, remediesFor, remedyLabel } from '../core/remedies';
import { CommandId } from './commands/commandId';
import type { AccountCommandDeps } from './commands/wizardUi';
import { reimportKey } from './commands/reimportKey';
import { SETTINGS_SECTION } from './adapters/settings';
import { accountRange } from '../core/settingsJson';

/** What running a remedy needs from the composition root. */
export type RemedyDeps = Pick<
  AccountCommandDeps,
  'store' | 'tokens' | 'context' | 'logger' | 'refreshTree'
>;

/** Where the failure happened: the account it is about, and how to run the action again. */
export interface RemedyTarget {
  readonly account?: Account;
  readonly retry?: () => Promise<unknown>;
}

/** This extension, as package.json names it (publisher.name). */
const EXTENSION_ID = 'token-explorer.token-explorer';

/** The `scope` package.json declares for one of our settings, e.g. "machine". */
function scopeOf(key: string): string | undefined {
  const json = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as
    | { contributes?: { configuration?: { properties?: Record<string, { scope?: string }> } } }
    | undefined;
  return json?.contributes?.configuration?.properties?.[key]?.scope;
}

/**
 * The Settings editor tab a setting is read from in this window: machine-scoped settings of a
 * remote window (SSH, WSL, containers, code-server: `vscode.env.remoteName` set) live under the
 * Remote tab, which the User tab does not even list; everything else is under User.
 */
export function settingsTab(key: string): 'Remote' | 'User' {
  const scope = scopeOf(key);
  const machine = scope === 'machine' || scope === 'machine-overridable';
  return vscode.env.remoteName && machine ? 'Remote' : 'User';
}

/** Opens the Settings editor on one setting, in the tab that applies to it in this window. */
export async function openSetting(key: string): Promise<void> {
  const query = `@id:${key}`;
  if (settingsTab(key) === 'Remote') {
    await vscode.commands.executeCommand('workbench.action.openRemoteSettings', { query });
  } else {
    await vscode.commands.executeCommand('workbench.action.openSettings', { query });
  }
}

/**
 * Opens the settings.json that holds the accounts (machine-scoped: Remote in a remote window);
 * with `accountId`, the account's own object is revealed and selected.
 */
export async function openAccountsJson(accountId?: string): Promise<void> {
  const key = `${SETTINGS_SECTION}.accounts`;
  // With an account, its own entry is selected below; revealSetting would move to the key after.
  const options = accountId === undefined ? { revealSetting: { key } } : {};
  const opened = settingsEditor(key);
  if (settingsTab(key) === 'Remote') {
    await vscode.commands.executeCommand('workbench.action.openRemoteSettingsFile', options);
  } else {
    await vscode.commands.executeCommand('workbench.action.openSettingsJson', options);
  }
  if (accountId === undefined) return;
  const active = vscode.window.activeTextEditor;
  const editor = isSettingsEditor(active, key) ? active : await opened;
  const range = editor && accountRange(editor.document.getText(), key, accountId);
  if (!editor || !range) return;
  const { document } = editor;
  const start = document.positionAt(range.offset);
  const selection = new vscode.Selection(start, document.positionAt(range.offset + range.length));
  editor.selection = selection;
  editor.revealRange(selection, vscode.TextEditorRevealType.AtTop);
}

function isSettingsEditor(editor: vscode.TextEditor | undefined, key: string): boolean {
  return (
    editor !== undefined &&
    editor.document.fileName.endsWith('settings.json') &&
    editor.document.getText().includes(key)
  );
}

/** The settings.json editor (one whose text names `key`) once it is active; undefined after 5 s. */
function settingsEditor(key: string): Promise<vscode.TextEditor | undefined> {
  const holds = (editor: vscode.TextEditor | undefined) => isSettingsEditor(editor, key);
  return new Promise((resolve) => {
    const done = (editor: vscode.TextEditor | undefined) => {
      clearTimeout(timer);
      listener.dispose();
      resolve(editor);
    };
    const listener = vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (holds(editor)) done(editor);
    });
    const timer = setTimeout(() => {
      const active = vscode.window.activeTextEditor;
      done(holds(active) ? active : undefined);
    }, 5000);
  });
}

/** Lets the user choose an executable and stores it in its (machine-scoped) setting. */
async function pickExecutable(tool: string, setting: string): Promise<boolean> {
  const [file] =
    (await vscode.window.showOpenDialog({
      title: `Choose the ${tool} executable`,
      openLabel: `Use as ${tool}`,
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
    })) ?? [];
  if (!file) return false;
  const section = `${SETTINGS_SECTION}.`;
  const key = setting.startsWith(section) ? setting.slice(section.length) : setting;
  await vscode.workspace
    .getConfiguration(SETTINGS_SECTION)
    .update(key, file.fsPath, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(
    `${setting} is now ${file.fsPath} (in your ${settingsTab(setting)} settings).`,
  );
  return true;
}

/** Lets the user choose a kubeconfig and stores it in the account's "kubeconfig" setting. */
async function pickKubeconfig(deps: RemedyDeps, account: Account): Promise<boolean> {
  const [file] =
    (await vscode.window.showOpenDialog({
      title: `Choose the kubeconfig of ${account.name ?? account.id}`,
      openLabel: 'Use Kubeconfig',
      canSelectMany: false,
    })) ?? [];
  if (!file) return false;
  await deps.store.save({ ...account, settings: { ...account.settings, kubeconfig: file.fsPath } });
  return true;
}

/** Copies a snippet (not a secret: the plain clipboard) and says where it goes. */
async function copyText(text: string, pasteInto: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(`$(check) Copied: paste it into ${pasteInto}`, 5000);
}

/**
 * Runs a remedy that needs no account (a wizard's, where none exists yet, or a failure about no
 * account): those the adapter can run alone. True when it was done (an executable picked, a page,
 * file or setting opened, a command copied) or is the caller's to do (Add Anyway, Retry, Pick
 * Kubeconfig… in a wizard).
 */
export async function runWizardRemedy(remedy: Remedy): Promise<boolean> {
  switch (remedy.kind) {
    case 'openFile':
      await vscode.window.showTextDocument(vscode.Uri.file(remedy.path));
      return true;
    case 'pickExecutable':
      return pickExecutable(remedy.tool, remedy.setting);
    case 'openSetting':
      await openSetting(remedy.key);
      return true;
    case 'copyCommand':
      await vscode.env.clipboard.writeText(remedy.command);
      return true;
    case 'copyText':
      await copyText(remedy.text, remedy.pasteInto);
      return true;
    case 'openUrl':
      await vscode.env.openExternal(vscode.Uri.parse(remedy.url));
      return true;
    default:
      return true;
  }
}

/**
 * "tokenExplorer.gcloud.path is read from your Remote settings in this window." for the setting
 * the remedies set or open, so messages name the tab that applies; undefined when none does.
 */
export function settingWhere(remedies: readonly Remedy[]): string | undefined {
  for (const remedy of remedies) {
    const key =
      remedy.kind === 'openSetting'
        ? remedy.key
        : remedy.kind === 'pickExecutable'
          ? remedy.setting
          : undefined;
    if (key) return `${key} is read from your ${settingsTab(key)} settings in this window.`;
  }
  return undefined;
}

/**
 * Runs one remedy. Those that change what the mint uses (a path, a key, a setting) try again
 * afterwards when the target can; nothing here runs a command line the user did not see.
 */
export async function runRemedy(
  deps: RemedyDeps,
  remedy: Remedy,
  target: RemedyTarget,
): Promise<void> {
  const { account } = target;
  const thenRetry = async (changed: boolean) => {
    if (!changed) return;
    if (account) deps.tokens.forget(account.id);
    deps.refreshTree();
    await target.retry?.();
  };
  deps.logger.info(`Remedy "${remedyLabel(remedy)}"${account ? ` for "${account.id}"` : ''}`);
  switch (remedy.kind) {
    case 'pickExecutable':
      return thenRetry(await pickExecutable(remedy.tool, remedy.setting));
    case 'openSetting':
      return openSetting(remedy.key);
    case 'reimportKey':
      return thenRetry(account !== undefined && (await reimportKey(deps, account)));
    case 'pickKubeconfig':
      return thenRetry(account !== undefined && (await pickKubeconfig(deps, account)));
    case 'openFile':
      await vscode.window.showTextDocument(vscode.Uri.file(remedy.path));
      return;
    case 'switchMethod':
      if (account)
        await vscode.commands.executeCommand(CommandId.AddAccount, { replace: account.id });
      return;
    case 'setAccountSetting':
      if (!account) return;
      await deps.store.save({
        ...account,
        settings: { ...account.settings, [remedy.key]: remedy.value },
      });
      return thenRetry(true);
    case 'editAccountSettings':
      return openAccountsJson(account?.id);
    case 'retry':
      await target.retry?.();
      return;
    case 'addAnyway':
      // Answered inside the wizard that asked (see askPastMissing); never shown elsewhere.
      return;
    case 'copyCommand':
      // A command line, not a secret: the plain clipboard, not the one cleared later.
      await vscode.env.clipboard.writeText(remedy.command);
      vscode.window.setStatusBarMessage('$(check) Command copied: run it in a terminal', 5000);
      return;
    case 'copyText':
      return copyText(remedy.text, remedy.pasteInto);
    case 'openUrl':
      await vscode.env.openExternal(vscode.Uri.parse(remedy.url));
      return;
  }
}

/** A button of the place showing an error, offered when the failure carries no remedy. */
export interface FallbackAction {
  readonly label: string;
  run(): unknown;
}

/**
 * Shows a failure that is about no account (Vault login, the local issuer) as an error
 * notification: the remedies that need no account (Retry when `retry` is given), else the place's
 * own `fallback` buttons, then "Show Log"; runs the one the user presses and logs the choice.
 */
export function showAccountlessError(
  logger: Logger,
  error: unknown,
  options: {
    readonly message?: string;
    readonly retry?: () => Promise<unknown>;
    readonly fallback?: readonly FallbackAction[];
  } = {},
): Promise<void> {
  const remedies = applicableRemedies(remediesFor(error), {
    canRetry: options.retry !== undefined,
    inWizard: false,
  });
  const fallback = remedies.length === 0 ? (options.fallback ?? []) : [];
  const buttons = [...remedies.map(remedyLabel), ...fallback.map((f) => f.label)];
  const message = options.message ?? `Token Explorer: ${errorMessage(error)}`;
  const where = settingWhere(remedies);
  const text = where ? `${message} ${where}` : message;
  return Promise.resolve(vscode.window.showErrorMessage(text, ...buttons, 'Show Log')).then(
    async (choice) => {
      if (choice === 'Show Log') {
        await vscode.commands.executeCommand(CommandId.ShowLog);
        return;
      }
      const other = fallback.find((f) => f.label === choice);
      if (other) {
        await other.run();
        return;
      }
      const chosen = remedies[buttons.indexOf(choice ?? '')];
      if (!chosen) return;
      logger.info(`Remedy "${remedyLabel(chosen)}"`);
      try {
        if (chosen.kind === 'retry') await options.retry?.();
        else await runWizardRemedy(chosen);
      } catch (failure) {
        logger.error(`"${remedyLabel(chosen)}" failed: ${errorMessage(failure)}`);
        void showAccountlessError(logger, failure);
      }
    },
  );
}

/**
 * Shows a failure as an error notification whose buttons are the remedies that can fix it here
 * (./../core/remedies `applicableRemedies`), then "Show Log"; runs the one the user presses.
 * Not awaited by callers: the notification may stay open while the user does something else.
 */
export function showErrorWithRemedies(
  deps: RemedyDeps,
  error: unknown,
  target: RemedyTarget,
  message = `Token Explorer: ${errorMessage(error)}`,
): Promise<void> {
  const remedies = applicableRemedies(remediesFor(error), {
    ...(target.account
      ? { account: { keyFile: target.account.kind === serviceAccountKeyProvider.kind } }
      : {}),
    canRetry: target.retry !== undefined,
    inWizard: false,
  });
  const buttons = remedies.map(remedyLabel);
  const where = settingWhere(remedies);
  const text = where ? `${message} ${where}` : message;
  return Promise.resolve(vscode.window.showErrorMessage(text, ...buttons, 'Show Log')).then(
    async (choice) => {
      if (choice === 'Show Log') {
        await vscode.commands.executeCommand(CommandId.ShowLog);
        return;
      }
      const chosen = remedies[buttons.indexOf(choice ?? '')];
      if (!chosen) return;
      try {
        await runRemedy(deps, chosen, target);
      } catch (failure) {
        deps.logger.error(`"${remedyLabel(chosen)}" failed: ${errorMessage(failure)}`);
        void showErrorWithRemedies(deps, failure, target);
      }
    },
  );
}
