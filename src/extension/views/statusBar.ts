import * as vscode from 'vscode';
import { shownToken } from '../../core/jwt/mask';
import type { TokenService } from '../../core/tokenService';
import { tokenNoun } from '../../core/providers/registry';
import type { AccountsStore } from '../adapters/accountsStore';
import { statusBarParts, tokenStateText } from './tokenState';
import { inert } from './untrusted';
import { CommandId } from '../commands/commandId';

/** Status bar item for the most recent token: account, audience, countdown; click inspects it. */
export class TokenStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'tokenExplorer.latest',
    vscode.StatusBarAlignment.Right,
    100,
  );
  private readonly timer: ReturnType<typeof setInterval>;
  private shown = '';

  constructor(
    private readonly tokens: TokenService,
    private readonly store: AccountsStore,
    /** Masked mode: the tooltip shows only the token's first and last characters. */
    private readonly masked: () => boolean,
  ) {
    this.item.name = 'Token Explorer: latest ID token';
    this.item.command = CommandId.InspectLatest;
    this.timer = setInterval(() => this.update(), 1000);
    this.update();
  }

  /** Redraws now (after a token was minted); otherwise it redraws itself every second. */
  update(force = false): void {
    if (force) this.shown = '';
    const latest = this.tokens.latest();
    const account = latest ? this.store.get(latest.accountId) : undefined;
    if (!latest || !account) {
      this.item.hide();
      this.shown = '';
      return;
    }
    const state = tokenStateText(latest.token, undefined, Date.now()) ?? '';
    // The account name and audience are the user's text: no "$(icon)" may form from them.
    const [countdown, name, audience] = statusBarParts(
      state,
      account.name ?? account.id,
      latest.audience,
    );
    const text = `$(key) ${countdown} · ${inert(name)} · ${inert(audience)}`;
    if (text === this.shown) return;
    this.shown = text;
    this.item.text = text;
    this.item.tooltip = `Latest ${tokenNoun(account.kind)}: ${account.name ?? account.id} for ${latest.audience || 'the default audience'}, ${state}. Click to inspect.\nToken: ${shownToken(latest.token.token, this.masked())}`;
    this.item.backgroundColor =
      latest.token.expiresAt <= Date.now()
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
    this.item.show();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.item.dispose();
  }
}
