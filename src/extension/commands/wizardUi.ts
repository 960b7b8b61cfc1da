import { nodeEnvironment } from '../../core/node/environment';
import * as vscode from 'vscode';
import type { Account, ProviderContext } from '../../core/providers/provider';
import type { TokenService } from '../../core/tokenService';
import type { Logger } from '../../core/ports';
import { TokenExplorerError } from '../../core/errors';
import { remedyLabel } from '../../core/remedies';
import { type InputOptions, type WizardPorts, type WizardUi, logCancels } from '../../core/wizard';
import { runWizardRemedy, settingWhere } from '../remedies';
import type { AccountsStore } from '../adapters/accountsStore';
import type { Settings } from '../adapters/settings';
import { CommandId } from './commandId';

/** What the account commands need from the composition root. */
export interface AccountCommandDeps {
  readonly store: AccountsStore;
  readonly tokens: TokenService;
  readonly context: ProviderContext;
  readonly settings: () => Settings;
  readonly logger: Logger;
  readonly state: vscode.Memento;
  readonly refreshTree: () => void;
}

/** The input box's message: `validate`'s refusal, else `warn`'s warning (Enter still accepts). */
export async function inputMessage(
  value: string,
  validate: InputOptions['validate'],
  warn: InputOptions['warn'],
): Promise<string | vscode.InputBoxValidationMessage | undefined> {
  const problem = await validate?.(value);
  if (problem) return problem;
  const warning = warn?.(value);
  return warning
    ? { message: warning, severity: vscode.InputBoxValidationSeverity.Warning }
    : undefined;
}

/** The wizard's questions as VS Code quick picks, input boxes, notifications and dialogs. */
export const vscodeWizardUi: WizardUi = {
  async pick(items, options) {
    return vscode.window.showQuickPick(items.slice(), { ...options, ignoreFocusOut: true });
  },
  async input({ validate, warn, ...options }) {
    return vscode.window.showInputBox({
      ignoreFocusOut: true,
      ...options,
      ...(validate || warn
        ? { validateInput: (value) => inputMessage(value, validate, warn) }
        : {}),
    });
  },
  async confirm(message, action) {
    const choice = await vscode.window.showWarningMessage(message, { modal: true }, action);
    return choice === action;
  },
  async recover(message, remedies) {
    const [title = message, ...rest] = message.split('\n');
    const labels = remedies.map(remedyLabel);
    const where = settingWhere(remedies);
    const detail = [...rest, ...(where ? [where] : [])].join('\n').trim();
    const choice = await vscode.window.showWarningMessage(
      title,
      { modal: true, ...(detail ? { detail } : {}) },
      ...labels,
    );
    const chosen = remedies[labels.indexOf(choice ?? '')];
    if (!chosen) return undefined;
    return (await runWizardRemedy(chosen)) ? chosen : undefined;
  },
  async pickFile({ title, filters }) {
    const [file] =
      (await vscode.window.showOpenDialog({
        title,
        canSelectMany: false,
        filters: Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, v.slice()])),
      })) ?? [];
    if (!file) return undefined;
    return {
      path: file.fsPath,
      text: new TextDecoder().decode(await vscode.workspace.fs.readFile(file)),
    };
  },
  async busy(title, task) {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (_progress, cancellation) =>
        new Promise((resolve, reject) => {
          const controller = new AbortController();
          cancellation.onCancellationRequested(() => {
            controller.abort();
            reject(new TokenExplorerError('cancelled', `${title} cancelled by the user.`));
          });
          task(controller.signal).then(resolve, reject);
        }),
    );
  },
  error(message) {
    void vscode.window.showErrorMessage(message);
  },
};

/** The ports the providers' wizard steps run with. */
export function wizardPorts(deps: AccountCommandDeps): WizardPorts {
  const ui = logCancels(vscodeWizardUi, (line) => deps.logger.info(line));
  return {
    ui: {
      ...ui,
      error(message) {
        // A wizard dead end: the user saw why; the log keeps it.
        deps.logger.info(`Add Account ended: ${message}`);
        vscodeWizardUi.error(message);
      },
    },
    context: deps.context,
    state: {
      get: (key) => deps.state.get<boolean>(key),
      update: (key, value) => Promise.resolve(deps.state.update(key, value)),
    },
    environmentNames: () => Object.keys(process.env),
  };
}

/** The account a command was invoked on: an id, or a tree node of an account. */
export function accountFrom(deps: AccountCommandDeps, arg: unknown): Account | undefined {
  if (typeof arg === 'string') return deps.store.get(arg);
  const node = arg as { type?: string; account?: Account } | undefined;
  return node?.type === 'account' && node.account ? deps.store.get(node.account.id) : undefined;
}

/**
 * Lets the user pick one of the configured accounts. With none configured there is nothing to
 * pick: says so and offers Add Account instead of an empty list.
 */
export async function pickExisting(
  deps: AccountCommandDeps,
  title: string,
): Promise<Account | undefined> {
  const { accounts } = deps.store.read();
  if (accounts.length === 0) {
    const add = 'Add Account…';
    const choice = await vscode.window.showInformationMessage(
      `${title}: there are no accounts yet. Add one first.`,
      add,
    );
    if (choice === add) await vscode.commands.executeCommand(CommandId.AddAccount);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    accounts.map((account) => ({
      label: account.name ?? account.id,
      description: deps.tokens.provider(account.kind).describe(account, nodeEnvironment),
      account,
    })),
    { title },
  );
  return picked?.account;
}
