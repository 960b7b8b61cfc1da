import * as vscode from 'vscode';
import type { CountdownBadge } from './tokenState';

/** The scheme of the tree rows' resourceUri: only this provider decorates it. */
const SCHEME = 'token-explorer-account';

/** A row's badge and its words, shown as the badge's tooltip. */
export interface RowBadge {
  readonly badge: CountdownBadge;
  readonly words: string;
}

/** Gives account rows their countdown badge; the tree says which rows changed. */
export class CountdownDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor(
    /** The badge and its words (the tooltip) for an account id, now. */
    private readonly badgeOfRow: (accountId: string) => RowBadge | undefined,
  ) {
    this.registration = vscode.window.registerFileDecorationProvider(this);
  }

  /** The resourceUri for an account row. */
  static uriOf(accountId: string): vscode.Uri {
    return vscode.Uri.from({ scheme: SCHEME, path: `/${encodeURIComponent(accountId)}` });
  }

  /** Asks VS Code to redraw the badges of these accounts. */
  refresh(accountIds: readonly string[]): void {
    if (accountIds.length > 0) this.changed.fire(accountIds.map(CountdownDecorations.uriOf));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== SCHEME) return undefined;
    const shown = this.badgeOfRow(decodeURIComponent(uri.path.slice(1)));
    if (!shown) return undefined;
    const color =
      shown.badge.tone === 'error'
        ? new vscode.ThemeColor('list.errorForeground')
        : shown.badge.tone === 'expired'
          ? new vscode.ThemeColor('list.warningForeground')
          : undefined;
    return new vscode.FileDecoration(shown.badge.badge, shown.words, color);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
