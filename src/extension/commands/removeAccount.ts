import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { type AccountCommandDeps, accountFrom, pickExisting } from './wizardUi';

/** "Remove account": asks, then removes the setting entry, its secrets and its cached tokens. */
export async function removeAccount(deps: AccountCommandDeps, arg?: unknown): Promise<void> {
  const account = accountFrom(deps, arg) ?? (await pickExisting(deps, 'Remove account'));
  if (!account) return;
  const confirm = await vscode.window.showWarningMessage(
    `Remove ${account.name ?? account.id}? Its settings, stored key and cached tokens are deleted.`,
    { modal: true },
    'Remove',
  );
  if (confirm !== 'Remove') return;
  try {
    await deps.store.remove(account.id);
  } catch (error) {
    void vscode.window.showErrorMessage(`Token Explorer: ${errorMessage(error)}`);
    return;
  }
  deps.tokens.forget(account.id);
  deps.logger.info(`Removed account "${account.id}"`);
  deps.refreshTree();
}
