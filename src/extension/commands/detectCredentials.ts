import * as vscode from 'vscode';
import { PROVIDERS } from '../../core/providers/registry';
import { detectCredentials as detectAll } from '../../core/wizard';
import { addAccount } from './addAccount';
import type { AccountCommandDeps } from './wizardUi';

/**
 * "Detect credentials": what the official tools would find (GOOGLE_APPLICATION_CREDENTIALS, the
 * gcloud ADC file, the metadata server, gcloud and its active account), offered as accounts.
 * Each provider's descriptor says what it looks for.
 */
export async function detectCredentials(deps: AccountCommandDeps): Promise<void> {
  const candidates = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Detecting credentials…' },
    () =>
      detectAll(
        PROVIDERS.map((p) => p.detect),
        deps.context,
      ),
  );
  if (candidates.length === 0) {
    const choice = await vscode.window.showInformationMessage(
      'No Google credentials were found: no GOOGLE_APPLICATION_CREDENTIALS, no gcloud ADC file, no metadata server, no gcloud on PATH. Run "gcloud auth application-default login", or add an account by hand.',
      'Add Account…',
    );
    if (choice) await addAccount(deps);
    return;
  }
  const picked = await vscode.window.showQuickPick(candidates, {
    title: 'Detected credentials',
    placeHolder: 'Pick one to add it as an account',
    matchOnDetail: true,
  });
  if (picked) await addAccount(deps, picked.draft);
}
