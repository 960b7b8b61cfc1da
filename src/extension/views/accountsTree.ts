import * as vscode from 'vscode';
import { serviceAccountKeyProvider } from '../../core/providers/google/serviceAccountKey';
import { errorMessage } from '../../core/errors';
import { shownToken } from '../../core/jwt/mask';
import type { Account, ProviderKind } from '../../core/providers/provider';
import { descriptorOf, tokenNoun } from '../../core/providers/registry';
import type { AudienceState, TokenService } from '../../core/tokenService';
import type { AccountsStore } from '../adapters/accountsStore';
import { appendPlainText } from './untrusted';
import { CountdownDecorations, type RowBadge } from './countdownBadge';
import { countdownBadge, tokenStateText } from './tokenState';
import { CommandId } from '../commands/commandId';

interface GroupNode {
  readonly type: 'group';
  readonly id: string;
  readonly label: string;
}
interface AccountNode {
  readonly type: 'account';
  readonly id: string;
  account: Account;
}
interface AudienceNode {
  readonly type: 'audience';
  readonly id: string;
  readonly accountId: string;
  readonly audience: string;
}
interface ProblemNode {
  readonly type: 'problem';
  readonly id: string;
  readonly message: string;
}
export type TreeNode = GroupNode | AccountNode | AudienceNode | ProblemNode;

/** The tree group of a kind: its cloud or tool, from the kind's descriptor. */
function groupOf(kind: ProviderKind): { readonly id: string; readonly label: string } {
  return descriptorOf(kind).group;
}

/**
 * The "Service Accounts" tree: accounts grouped by cloud, each with the audiences it minted for.
 * A one-second tick refreshes only the rows whose countdown text changed.
 */
export class AccountsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, TreeNode>();
  private readonly shownText = new Map<string, string | undefined>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly subscriptions: vscode.Disposable[];
  private readonly badges = new CountdownDecorations((accountId) => this.accountBadge(accountId));

  constructor(
    private readonly store: AccountsStore,
    private readonly tokens: TokenService,
    private readonly describe: (account: Account) => string,
    /** Masked mode: tooltips show only the token's first and last characters. */
    private readonly masked: () => boolean,
  ) {
    this.subscriptions = [store.onDidChange(() => this.refresh())];
    this.timer = setInterval(() => this.tick(), 1000);
  }

  /** Re-reads everything (accounts added, removed or edited; a token minted). */
  refresh(): void {
    this.changed.fire(undefined);
    this.badges.refresh(this.store.read().accounts.map((account) => account.id));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.type) {
      case 'group': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('cloud');
        item.contextValue = 'group';
        return item;
      }
      case 'account':
        return this.accountItem(node);
      case 'audience':
        return this.audienceItem(node);
      case 'problem': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(
          'warning',
          new vscode.ThemeColor('problemsWarningIcon.foreground'),
        );
        item.tooltip = node.message;
        item.command = { command: 'workbench.action.openSettingsJson', title: 'Open settings' };
        return item;
      }
    }
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) {
      const { accounts, problems } = this.store.read();
      if (accounts.length === 0 && problems.length === 0) return [];
      const groups = new Map<string, GroupNode>();
      for (const account of accounts) {
        const group = groupOf(account.kind);
        groups.set(
          group.id,
          this.node({ type: 'group', id: `group/${group.id}`, label: group.label }),
        );
      }
      return [
        ...problems.map((message, i) =>
          this.node({ type: 'problem', id: `problem/${i}`, message } as ProblemNode),
        ),
        ...groups.values(),
      ];
    }
    if (node.type === 'group') {
      return this.store
        .read()
        .accounts.filter((a) => `group/${groupOf(a.kind).id}` === node.id)
        .map((account) => {
          const existing = this.nodes.get(`account/${account.id}`) as AccountNode | undefined;
          if (existing) {
            existing.account = account;
            return existing;
          }
          return this.node({ type: 'account', id: `account/${account.id}`, account });
        });
    }
    if (node.type === 'account') {
      return this.tokens.audiences(node.account.id).map((state) =>
        this.node({
          type: 'audience',
          id: `audience/${node.account.id}/${state.audience}`,
          accountId: node.account.id,
          audience: state.audience,
        }),
      );
    }
    return [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (node.type === 'account') return this.nodes.get(`group/${groupOf(node.account.kind).id}`);
    if (node.type === 'audience') return this.nodes.get(`account/${node.accountId}`);
    return undefined;
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
    this.badges.dispose();
  }

  /** Keeps one object per id (VS Code matches refreshes by identity); content may change. */
  private node<T extends TreeNode>(node: T): T {
    const existing = this.nodes.get(node.id) as T | undefined;
    if (existing && (existing.type === 'group' || existing.type === 'audience')) return existing;
    this.nodes.set(node.id, node);
    return node;
  }

  /** The audience whose token lives longest: what an account row reports. */
  private latest(accountId: string): AudienceState | undefined {
    return this.tokens
      .audiences(accountId)
      .reduce<AudienceState | undefined>(
        (best, s) => (!best || (s.token?.expiresAt ?? 0) > (best.token?.expiresAt ?? 0) ? s : best),
        undefined,
      );
  }

  private accountState(accountId: string, now: number): string | undefined {
    const latest = this.latest(accountId);
    return latest ? tokenStateText(latest.token, latest.lastError, now) : undefined;
  }

  private accountBadge(accountId: string): RowBadge | undefined {
    const latest = this.latest(accountId);
    const now = Date.now();
    const badge = latest && countdownBadge(latest.token, latest.lastError, now);
    const words = latest && tokenStateText(latest.token, latest.lastError, now);
    return badge && words ? { badge, words } : undefined;
  }

  private accountItem(node: AccountNode): vscode.TreeItem {
    const { account } = node;
    const hasAudiences = this.tokens.audiences(account.id).length > 0;
    const item = new vscode.TreeItem(
      account.name ?? this.describe(account),
      hasAudiences
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None,
    );
    // VS Code keeps the collapsible state it first saw per id: a new id once tokens exist lets
    // the first audience row show up expanded.
    item.id = hasAudiences ? `${node.id}#audiences` : node.id;
    const state = this.accountState(account.id, Date.now());
    this.shownText.set(node.id, state);
    item.description = state ?? (account.name ? this.describe(account) : undefined);
    item.iconPath = new vscode.ThemeIcon(descriptorOf(account.kind).icon);
    // A narrow side bar cuts the description first: the badge at the row's end keeps the
    // minutes left in sight (countdownBadge.ts).
    item.resourceUri = CountdownDecorations.uriOf(account.id);
    // Accounts with a stored key file also offer "Re-import Key…" (package.json menus).
    item.contextValue =
      account.kind === serviceAccountKeyProvider.kind ? 'account-keyFile' : 'account';
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**');
    tooltip.appendText(account.name ?? account.id);
    tooltip.appendMarkdown('**\n\n');
    // Settings and error texts hold URLs and emails: shown literally, not as links.
    appendPlainText(tooltip, this.describe(account));
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(`Mints ${tokenNoun(account.kind)}s.`);
    if (account.defaultAudience) {
      tooltip.appendMarkdown('\n\nDefault audience: ');
      appendPlainText(tooltip, account.defaultAudience);
    }
    if (state) {
      tooltip.appendMarkdown('\n\n');
      appendPlainText(tooltip, state);
    }
    item.tooltip = tooltip;
    return item;
  }

  private audienceItem(node: AudienceNode): vscode.TreeItem {
    const label = node.audience === '' ? '(default audience)' : node.audience;
    const state = this.tokens.audiences(node.accountId).find((s) => s.audience === node.audience);
    const text = tokenStateText(state?.token, state?.lastError, Date.now());
    this.shownText.set(node.id, text);
    // The countdown first, the audience after it: at the default side bar width (300 px) a long
    // audience URL would push a trailing countdown out of sight. The full audience is in the
    // tooltip and in Copy Audience.
    const shortLabel = label.replace(/^https:\/\//, '');
    const item = new vscode.TreeItem(text ?? shortLabel, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    if (text !== undefined) item.description = shortLabel;
    item.accessibilityInformation = { label: text === undefined ? label : `${label}, ${text}` };
    const failed = state?.lastError !== undefined && !state.token;
    item.iconPath = new vscode.ThemeIcon(
      failed ? 'error' : 'symbol-key',
      failed ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined,
    );
    item.tooltip = failed
      ? errorMessage(state?.lastError)
      : `${label}\n${text ?? ''}${state?.token ? `\nToken: ${shownToken(state.token.token, this.masked())}` : ''}`;
    item.contextValue = 'audience';
    if (state?.token) {
      item.command = {
        command: CommandId.InspectAudience,
        title: 'Inspect ID Token',
        arguments: [node],
      };
    }
    return item;
  }

  private tick(): void {
    const now = Date.now();
    const dirty: TreeNode[] = [];
    for (const node of this.nodes.values()) {
      if (!this.shownText.has(node.id)) continue;
      let text: string | undefined;
      if (node.type === 'account') text = this.accountState(node.account.id, now);
      else if (node.type === 'audience') {
        const state = this.tokens
          .audiences(node.accountId)
          .find((s) => s.audience === node.audience);
        text = tokenStateText(state?.token, state?.lastError, now);
      } else continue;
      if (text !== this.shownText.get(node.id)) dirty.push(node);
    }
    if (dirty.length > 0) this.changed.fire(dirty);
    this.badges.refresh(
      dirty.flatMap((node) => (node.type === 'account' ? [node.account.id] : [])),
    );
  }
}
