import * as vscode from 'vscode';
import { audienceProblem, audienceSchemeWarning } from '../../core/inputRules';
import { descriptorOf } from '../../core/providers/registry';
import { openAccountsJson } from '../remedies';
import { type AccountCommandDeps, accountFrom, inputMessage, pickExisting } from './wizardUi';

/** "Edit account": rename, change the default audience, or open the setting. */
export async function editAccount(deps: AccountCommandDeps, arg?: unknown): Promise<void> {
  const account = accountFrom(deps, arg) ?? (await pickExisting(deps, 'Edit account'));
  if (!account) return;
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(edit) Rename…', action: 'rename' as const },
      {
        label: '$(globe) Default audience…',
        description: account.defaultAudience ?? 'none',
        action: 'audience' as const,
      },
      { label: '$(json) Open in settings.json', action: 'json' as const },
    ],
    { title: `Edit ${account.name ?? account.id}` },
  );
  if (!choice) return;
  if (choice.action === 'json') {
    await openAccountsJson(account.id);
    return;
  }
  const key = choice.action === 'rename' ? 'name' : 'defaultAudience';
  const value = await vscode.window.showInputBox({
    ignoreFocusOut: true,
    title: choice.action === 'rename' ? 'Name in the tree' : 'Default audience',
    value: (choice.action === 'rename' ? account.name : account.defaultAudience) ?? '',
    ...(choice.action === 'audience'
      ? {
          validateInput: (v: string) =>
            inputMessage(
              v,
              (t) => audienceProblem(t, true),
              descriptorOf(account.kind).audienceExpectsUrl ? audienceSchemeWarning : undefined,
            ),
        }
      : {}),
  });
  if (value === undefined) return;
  const { [key]: _old, ...rest } = account;
  await deps.store.save(value.trim() ? { ...rest, [key]: value.trim() } : rest);
  deps.refreshTree();
}
