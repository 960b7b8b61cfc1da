import type * as vscode from 'vscode';

/**
 * Shows a quick pick whose answer is the selected item's label or, with none selected, the typed
 * text; resolves `undefined` when the pick is dismissed.
 * @param render rebuilds the items as the user types.
 * @param accept decides about an answer: `true` resolves with it, `false` keeps the pick open.
 */
export function quickPickAnswer(
  quickPick: vscode.QuickPick<vscode.QuickPickItem>,
  render: (value: string) => void,
  accept: (chosen: string) => boolean,
): Promise<string | undefined> {
  return new Promise<string | undefined>((resolve) => {
    quickPick.onDidChangeValue(render);
    quickPick.onDidAccept(() => {
      const chosen = quickPick.selectedItems[0]?.label ?? quickPick.value.trim();
      if (!accept(chosen)) return;
      resolve(chosen);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}
