import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import {
  SERVICE_ACCOUNT_KEY_SECRET,
  reimportServiceAccountKey,
  serviceAccountKeyProvider,
} from '../../core/providers/google/serviceAccountKey';
import type { Account } from '../../core/providers/provider';
import { secretKey } from '../../core/providers/provider';
import { type RemedyDeps, showErrorWithRemedies } from '../remedies';
import { type AccountCommandDeps, accountFrom, vscodeWizardUi } from './wizardUi';

/**
 * Chooses the key file of a service-account-key account again (its key is gone from the secret
 * storage, or was rotated): checks it is a key of the same service account, stores it in
 * SecretStorage and forgets cached tokens. True when a key was stored.
 */
export async function reimportKey(deps: RemedyDeps, account: Account): Promise<boolean> {
  const email =
    typeof account.settings.clientEmail === 'string' ? account.settings.clientEmail : '';
  const file = await vscodeWizardUi.pickFile({
    title: `Choose a key of ${email || (account.name ?? account.id)} (JSON)`,
    filters: { 'Service-account key': ['json'] },
  });
  if (!file) {
    deps.logger.info(`Re-import Key for "${account.id}": cancelled by the user`);
    return false;
  }
  let imported: Awaited<ReturnType<typeof reimportServiceAccountKey>>;
  try {
    imported = await reimportServiceAccountKey(account, file.text, file.path);
  } catch (error) {
    deps.logger.warn(`Re-import Key for "${account.id}" refused: ${errorMessage(error)}`);
    throw error;
  }
  await deps.context.secrets.store(
    secretKey(account.id, SERVICE_ACCOUNT_KEY_SECRET),
    imported.secret,
  );
  await deps.store.save({ ...account, settings: imported.settings });
  deps.tokens.forget(account.id);
  deps.logger.info(`Re-imported the key of "${account.id}" (${email})`);
  void vscode.window.showInformationMessage(
    `The key of ${account.name ?? account.id} is back in the secret storage.`,
  );
  return true;
}

/** "Re-import Key…" on a service-account-key account (tree context menu or palette). */
export async function reimportKeyCommand(deps: AccountCommandDeps, arg?: unknown): Promise<void> {
  let account = accountFrom(deps, arg);
  if (!account) {
    const keyed = deps.store
      .read()
      .accounts.filter((a) => a.kind === serviceAccountKeyProvider.kind);
    if (keyed.length === 0) {
      void vscode.window.showInformationMessage(
        'No service-account key account is configured: Re-import Key applies to those only.',
      );
      return;
    }
    const picked = await vscode.window.showQuickPick(
      keyed.map((a) => ({ label: a.name ?? a.id, account: a })),
      { title: 'Re-import Key: which account?' },
    );
    account = picked?.account;
  }
  if (!account) return;
  if (account.kind !== serviceAccountKeyProvider.kind) {
    void vscode.window.showInformationMessage(
      `${account.name ?? account.id} mints without a stored key: Re-import Key does not apply.`,
    );
    return;
  }
  try {
    await reimportKey(deps, account);
    deps.refreshTree();
  } catch (error) {
    void showErrorWithRemedies(deps, error, { account });
  }
}
