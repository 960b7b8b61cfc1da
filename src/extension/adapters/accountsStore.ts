import * as vscode from 'vscode';
import { parseAccounts } from '../../core/accounts';
import type { ParsedAccounts } from '../../core/accounts';
import type { Account } from '../../core/providers/provider';
import { secretKey } from '../../core/providers/provider';
import type { SecretStore } from '../../core/ports';
import { SETTINGS_SECTION } from './settings';

const ACCOUNTS = 'accounts';
// Every secret a provider may keep for an account, so removal leaves nothing behind.
const SECRET_NAMES = ['serviceAccountKey', 'refreshToken'];
const RECENT_AUDIENCES = 'recentAudiences';
const RECENT_ACCOUNTS = 'recentAccounts';
const MAX_RECENT = 8;

/** Accounts in the user setting, their secrets in SecretStorage, and recents in global state. */
export class AccountsStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: SecretStore,
    private readonly state: vscode.Memento,
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SETTINGS_SECTION}.${ACCOUNTS}`)) {
        this.parsed = undefined;
        this.changed.fire();
      }
    });
  }

  // Parsed once per change of the setting: the tree and status bar read it every second.
  private parsed: ParsedAccounts | undefined;

  /** The configured accounts (user settings only: the setting is machine-scoped). */
  read(): ParsedAccounts {
    this.parsed ??= parseAccounts(
      vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(ACCOUNTS),
    );
    return this.parsed;
  }

  get(id: string): Account | undefined {
    return this.read().accounts.find((a) => a.id === id);
  }

  /** Adds or replaces an account (by id), storing its secrets first. */
  async save(account: Account, secrets: Readonly<Record<string, string>> = {}): Promise<void> {
    for (const [name, value] of Object.entries(secrets)) {
      await this.secrets.store(secretKey(account.id, name), value);
    }
    const raw = this.rawAccounts().filter((a) => a.id !== account.id);
    raw.push(stripUndefined(account));
    await this.write(raw);
  }

  /** Removes an account and every secret it had. */
  async remove(id: string): Promise<void> {
    for (const name of SECRET_NAMES) await this.secrets.delete(secretKey(id, name));
    await this.write(this.rawAccounts().filter((a) => a.id !== id));
    await this.state.update(`${RECENT_AUDIENCES}/${id}`, undefined);
    await this.state.update(
      RECENT_ACCOUNTS,
      this.recentAccounts().filter((a) => a !== id),
    );
  }

  /** Records a use, so pickers list recent accounts and audiences first. */
  async remember(accountId: string, audience: string): Promise<void> {
    await this.state.update(
      RECENT_ACCOUNTS,
      [accountId, ...this.recentAccounts().filter((a) => a !== accountId)].slice(0, MAX_RECENT * 4),
    );
    if (audience !== '') {
      await this.state.update(
        `${RECENT_AUDIENCES}/${accountId}`,
        [audience, ...this.recentAudiences(accountId).filter((a) => a !== audience)].slice(
          0,
          MAX_RECENT,
        ),
      );
    }
  }

  recentAccounts(): string[] {
    return this.state.get<string[]>(RECENT_ACCOUNTS, []);
  }

  recentAudiences(accountId: string): string[] {
    return this.state.get<string[]>(`${RECENT_AUDIENCES}/${accountId}`, []);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private rawAccounts(): { id?: unknown }[] {
    const raw = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(ACCOUNTS);
    return Array.isArray(raw) ? (raw as { id?: unknown }[]) : [];
  }

  private async write(raw: unknown[]): Promise<void> {
    this.parsed = undefined;
    await vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .update(ACCOUNTS, raw, vscode.ConfigurationTarget.Global);
  }
}

function stripUndefined(account: Account): Record<string, unknown> {
  return JSON.parse(JSON.stringify(account)) as Record<string, unknown>;
}
