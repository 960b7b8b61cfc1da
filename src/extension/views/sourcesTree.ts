import * as vscode from 'vscode';
import { shownToken } from '../../core/jwt/mask';
import { errorMessage } from '../../core/errors';
import { inspectToken } from '../../core/jwt/inspect';
import { listIdTokens } from '../../core/providers/gitlab/ciYaml';
import type { IdTokenDeclaration } from '../../core/providers/gitlab/ciYaml';
import type { ImportedTokens } from '../importedTokens';
import type { LocalIssuerController } from '../localIssuerController';
import { tokenStateText } from './tokenState';
import { CommandId } from '../commands/commandId';

export type SourceNode =
  | {
      readonly type: 'section';
      readonly id: string;
      readonly label: string;
      readonly icon: string;
      readonly description?: string;
    }
  | { readonly type: 'imported'; readonly id: string; readonly importedId: string }
  | { readonly type: 'ciFile'; readonly id: string; readonly uri: vscode.Uri }
  | {
      readonly type: 'ciJob';
      readonly id: string;
      readonly uri: vscode.Uri;
      readonly job: string;
      readonly tokens: readonly { variable: string; aud: string | string[] }[];
    }
  | {
      readonly type: 'ciToken';
      readonly id: string;
      readonly variable: string;
      readonly aud: string;
    }
  | {
      readonly type: 'message';
      readonly id: string;
      readonly label: string;
      readonly icon: string;
      readonly tooltip?: string;
      readonly command?: vscode.Command;
    };

const CI_FILE = '.gitlab-ci.yml';

/**
 * "Pipelines & Test Tokens": tokens imported by hand (e.g. from a GitLab CI job), the ID tokens
 * the workspace's .gitlab-ci.yml declares, and the local issuer.
 */
export class SourcesTree implements vscode.TreeDataProvider<SourceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SourceNode | SourceNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private readonly shown = new Map<string, { node: SourceNode; text: string | undefined }>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly imported: ImportedTokens,
    private readonly issuer: LocalIssuerController,
    private readonly parseYaml: (text: string) => unknown,
    /** Masked mode: tooltips show only the token's first and last characters. */
    private readonly masked: () => boolean,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CI_FILE}`);
    this.subscriptions = [
      imported.onDidChange(() => this.refresh()),
      issuer.onDidChange(() => this.refresh()),
      watcher,
      watcher.onDidChange(() => this.refresh()),
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
    ];
    this.timer = setInterval(() => this.tick(), 1000);
  }

  refresh(): void {
    this.shown.clear();
    this.changed.fire(undefined);
  }

  async getChildren(node?: SourceNode): Promise<SourceNode[]> {
    if (!node) return this.roots();
    switch (node.type) {
      case 'section':
        if (node.id === 'imported') {
          return this.imported
            .list()
            .map((t) => ({ type: 'imported', id: `imported/${t.id}`, importedId: t.id }));
        }
        if (node.id === 'local') return this.localChildren();
        return [];
      case 'ciFile':
        return this.ciJobs(node.uri);
      case 'ciJob':
        return node.tokens.flatMap((t) =>
          (Array.isArray(t.aud) ? t.aud : [t.aud]).map((aud) => ({
            type: 'ciToken' as const,
            id: `${node.id}/${t.variable}/${aud}`,
            variable: t.variable,
            aud,
          })),
        );
      default:
        return [];
    }
  }

  getTreeItem(node: SourceNode): vscode.TreeItem {
    const expanded = vscode.TreeItemCollapsibleState.Expanded;
    const none = vscode.TreeItemCollapsibleState.None;
    switch (node.type) {
      case 'section': {
        const item = new vscode.TreeItem(node.label, expanded);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.description = node.description;
        item.contextValue = `section-${node.id}`;
        return item;
      }
      case 'imported': {
        const entry = this.imported.get(node.importedId);
        const item = new vscode.TreeItem(entry?.label ?? 'token', none);
        item.id = node.id;
        const text = this.importedState(node);
        this.shown.set(node.id, { node, text });
        item.description = text;
        item.iconPath = new vscode.ThemeIcon(entry?.persisted ? 'pinned' : 'symbol-key');
        item.tooltip = `${entry?.label ?? ''}\n${text ?? ''}\n${entry?.persisted ? 'Kept across restarts (SecretStorage)' : 'This session only'}${entry ? `\nToken: ${shownToken(entry.token, this.masked())}` : ''}`;
        item.contextValue = 'importedToken';
        item.command = {
          command: CommandId.InspectImported,
          title: 'Inspect Imported Token',
          arguments: [node],
        };
        return item;
      }
      case 'ciFile': {
        const item = new vscode.TreeItem(vscode.workspace.asRelativePath(node.uri), expanded);
        item.id = node.id;
        item.resourceUri = node.uri;
        item.iconPath = new vscode.ThemeIcon('git-merge');
        item.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri] };
        return item;
      }
      case 'ciJob': {
        const item = new vscode.TreeItem(node.job, node.tokens.length > 0 ? expanded : none);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('play-circle');
        item.description = node.tokens.length === 0 ? 'no id_tokens' : undefined;
        item.contextValue = 'ciJob';
        return item;
      }
      case 'ciToken': {
        const item = new vscode.TreeItem(`$${node.variable}`, none);
        item.id = node.id;
        item.description = `aud ${node.aud}`;
        item.iconPath = new vscode.ThemeIcon('symbol-variable');
        item.tooltip = `The job gets an ID token in $${node.variable} with aud "${node.aud}".`;
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.label, none);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.tooltip ?? node.label;
        if (node.command) item.command = node.command;
        return item;
      }
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  private async roots(): Promise<SourceNode[]> {
    const roots: SourceNode[] = [];
    if (this.imported.list().length > 0) {
      roots.push({
        type: 'section',
        id: 'imported',
        label: 'Imported tokens',
        icon: 'cloud-download',
      });
    }
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const uri = vscode.Uri.joinPath(folder.uri, CI_FILE);
      try {
        await vscode.workspace.fs.stat(uri);
        roots.push({ type: 'ciFile', id: `ci/${uri.toString()}`, uri });
      } catch {
        // No pipeline file in this folder.
      }
    }
    const running = this.issuer.running();
    if (running) {
      roots.push({
        type: 'section',
        id: 'local',
        label: 'Local Issuer',
        icon: 'beaker',
        description: `running at ${running.url}`,
      });
    }
    return roots;
  }

  private localChildren(): SourceNode[] {
    const url = this.issuer.running()?.url;
    if (!url) return [];
    return [
      {
        type: 'message',
        id: 'local/url',
        label: url,
        icon: 'link',
        tooltip:
          'Issuer URL: point your service at it (discovery at /.well-known/openid-configuration). Click to copy.',
        command: { command: CommandId.CopyLocalIssuerUrl, title: 'Copy Local Issuer URL' },
      },
      {
        type: 'message',
        id: 'local/mint',
        label: 'Mint Test Token',
        icon: 'add',
        command: { command: CommandId.MintTestToken, title: 'Mint Test Token' },
      },
      {
        type: 'message',
        id: 'local/template',
        label: 'Edit Test Token Template',
        icon: 'json',
        command: { command: CommandId.EditTestTokenTemplate, title: 'Edit Test Token Template' },
      },
    ];
  }

  private async ciJobs(uri: vscode.Uri): Promise<SourceNode[]> {
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (error) {
      return [
        {
          type: 'message',
          id: `${uri}/error`,
          label: `Cannot read ${CI_FILE}: ${errorMessage(error)}`,
          icon: 'error',
        },
      ];
    }
    let tokens: IdTokenDeclaration[];
    try {
      tokens = listIdTokens(text, this.parseYaml);
    } catch (error) {
      return [
        {
          type: 'message',
          id: `${uri}/error`,
          label: errorMessage(error),
          icon: 'error',
          tooltip: errorMessage(error),
          command: { command: 'vscode.open', title: 'Open', arguments: [uri] },
        },
      ];
    }
    const jobs = new Map<string, { variable: string; aud: string | string[] }[]>();
    for (const t of tokens)
      jobs.set(t.job, [...(jobs.get(t.job) ?? []), { variable: t.variable, aud: t.aud }]);
    if (jobs.size === 0) {
      return [
        {
          type: 'message',
          id: `${uri}/none`,
          label: 'No job declares id_tokens',
          icon: 'info',
          command: {
            command: CommandId.InsertIdTokens,
            title: 'Insert GitLab id_tokens Block…',
            arguments: [uri],
          },
          tooltip: 'Run "Insert GitLab id_tokens Block…" to add one.',
        },
      ];
    }
    return [...jobs].map(([job, list]) => ({
      type: 'ciJob',
      id: `ci/${uri}/${job}`,
      uri,
      job,
      tokens: list,
    }));
  }

  private importedState(node: { importedId: string }): string | undefined {
    const entry = this.imported.get(node.importedId);
    if (!entry) return undefined;
    const { exp } = inspectToken(entry.token).times;
    return exp === undefined
      ? 'no expiry'
      : tokenStateText({ token: entry.token, expiresAt: exp * 1000 }, undefined, Date.now());
  }

  private tick(): void {
    const dirty: SourceNode[] = [];
    for (const [id, { node, text }] of this.shown) {
      if (node.type !== 'imported') continue;
      const now = this.importedState(node);
      if (now !== text) {
        dirty.push(node);
        this.shown.set(id, { node, text: now });
      }
    }
    if (dirty.length > 0) this.changed.fire(dirty);
  }
}
