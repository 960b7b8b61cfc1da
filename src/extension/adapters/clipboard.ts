import * as vscode from 'vscode';
import { ClipboardGuard, systemTimers } from '../../core/clipboard/clearAfter';

/**
 * The one way the extension copies tokens: VS Code's clipboard behind a {@link ClipboardGuard}
 * that clears a copied token after `tokenExplorer.clipboard.clearAfterSeconds`.
 */
export function vscodeClipboardGuard(delaySeconds: () => number): ClipboardGuard {
  return new ClipboardGuard(
    {
      readText: () => Promise.resolve(vscode.env.clipboard.readText()),
      writeText: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
    },
    systemTimers,
    delaySeconds,
  );
}
