import * as vscode from 'vscode';
import { detectNothing } from '../../core/providers/descriptor';
import { PROVIDERS } from '../../core/providers/registry';
import { type DetectedCredential, detectCredentials as detectAll } from '../../core/wizard';
import { CommandId } from './commandId';
import { addAccount } from './addAccount';
import type { AccountCommandDeps } from './wizardUi';

/** How long one kind's detector may take (gcloud and yc start in about a second). */
const DETECT_TIMEOUT_MS = 10_000;

/**
 * "Detect Credentials": every registered kind looks for what its official tools would find (ADC,
 * gcloud's account, the metadata server, yc profiles, kubeconfig contexts, CI token variables,
 * …), all at once, each bounded in time. Only what can be added is offered; a kind whose
 * detector failed is named in the log and, when nothing was found, in the message.
 */
export async function detectCredentials(deps: AccountCommandDeps): Promise<void> {
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Detecting credentials…' },
    () =>
      detectAll(PROVIDERS, deps.context, {
        timeoutMs: DETECT_TIMEOUT_MS,
        environmentNames: () => Object.keys(process.env),
      }),
  );
  for (const problem of report.problems) deps.logger.warn(`Detect Credentials: ${problem}`);
  if (report.found.length === 0) {
    const searched = PROVIDERS.filter((p) => p.detect !== detectNothing).map((p) => p.label);
    const problems = report.problems.length > 0 ? ` ${report.problems.join(' ')}` : '';
    const choice = await vscode.window.showInformationMessage(
      `No credentials to add were found. Looked for: ${searched.join('; ')}.${problems}`,
      'Add Account…',
      ...(report.problems.length > 0 ? ['Show Log'] : []),
    );
    if (choice === 'Add Account…') await addAccount(deps);
    if (choice === 'Show Log') await vscode.commands.executeCommand(CommandId.ShowLog);
    return;
  }
  const failed = report.problems.length;
  // The sources that could not be checked are named in the log: the picker's last row opens it.
  const showLog = {
    label: '$(output) Show Log',
    description: `${failed} source${failed > 1 ? 's' : ''} could not be checked`,
    detail: report.problems.join(' '),
  };
  const items: (vscode.QuickPickItem & { draft?: DetectedCredential['draft'] })[] = [
    ...report.found,
    ...(failed > 0 ? [{ label: '', kind: vscode.QuickPickItemKind.Separator }, showLog] : []),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Detected credentials',
    placeHolder: `Pick one to add it as an account${failed > 0 ? ` (${failed} source${failed > 1 ? 's' : ''} could not be checked: see Show Log, the last row)` : ''}`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked === showLog) await vscode.commands.executeCommand(CommandId.ShowLog);
  else if (picked?.draft) await addAccount(deps, picked.draft);
}
