import * as vscode from 'vscode';
import { TokenExplorerError } from '../../core/errors';
import type { Clock, Logger } from '../../core/ports';
import type { Account } from '../../core/providers/provider';
import { AuthProxy } from '../../core/proxy/authProxy';
import type { TokenHeader } from '../../core/proxy/loopback';
import type { TokenService } from '../../core/tokenService';

/** A running proxy as the tree shows it. */
export interface RunningProxy {
  readonly url: string;
  readonly target: string;
  readonly accountLabel: string;
  readonly audience: string;
  readonly header: TokenHeader;
}

/** What starting a proxy needs. */
export interface ProxyRequest {
  readonly account: Account;
  readonly target: URL;
  readonly audience: string;
  readonly header: TokenHeader;
  readonly port: number;
}

/**
 * The local authenticating proxies of this window: starts them on 127.0.0.1, lists them for the
 * tree, stops them (all of them when the extension deactivates).
 */
export class LocalProxies implements vscode.Disposable {
  private readonly proxies = new Map<string, { proxy: AuthProxy; info: RunningProxy }>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly tokens: Pick<TokenService, 'get'>,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.onDidChange(
      () =>
        void vscode.commands.executeCommand(
          'setContext',
          'tokenExplorer.proxyRunning',
          this.proxies.size > 0,
        ),
    );
  }

  list(): readonly RunningProxy[] {
    return [...this.proxies.values()].map((p) => p.info);
  }

  /** Starts a proxy; rejects with a TokenExplorerError when the port cannot be had. */
  async start(request: ProxyRequest): Promise<RunningProxy> {
    const { account, audience } = request;
    const proxy = await AuthProxy.start({
      target: request.target,
      header: request.header,
      port: request.port,
      token: async (signal) => (await this.tokens.get(account, audience, { signal })).token.token,
      logger: this.logger,
      clock: this.clock,
    });
    const info: RunningProxy = {
      url: proxy.url,
      target: request.target.href,
      accountLabel: account.name ?? account.id,
      audience,
      header: request.header,
    };
    this.proxies.set(proxy.url, { proxy, info });
    this.logger.info(
      `proxy started: ${proxy.url} → ${info.target} as ${info.accountLabel} (audience ${audience}, ${request.header})`,
    );
    this.changed.fire();
    return info;
  }

  async stop(url: string): Promise<void> {
    const running = this.proxies.get(url);
    if (!running) {
      throw new TokenExplorerError('bad-config', `No local proxy is running at ${url}.`);
    }
    this.proxies.delete(url);
    await running.proxy.stop();
    this.logger.info(`proxy stopped: ${url}`);
    this.changed.fire();
  }

  dispose(): void {
    for (const { proxy } of this.proxies.values()) void proxy.stop();
    this.proxies.clear();
    this.changed.dispose();
  }
}

/** The "Local Proxies" view: one row per running proxy, with copy and stop actions. */
export class ProxiesTree implements vscode.TreeDataProvider<RunningProxy>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly proxies: LocalProxies) {
    this.subscription = proxies.onDidChange(() => this.changed.fire());
  }

  getChildren(element?: RunningProxy): RunningProxy[] {
    return element ? [] : [...this.proxies.list()];
  }

  getTreeItem(proxy: RunningProxy): vscode.TreeItem {
    const item = new vscode.TreeItem(proxy.url);
    item.description = `→ ${proxy.target} as ${proxy.accountLabel}`;
    item.tooltip = `${proxy.url} forwards to ${proxy.target} with an ID token of ${proxy.accountLabel} (audience ${proxy.audience}) in ${proxy.header}.`;
    item.iconPath = new vscode.ThemeIcon('arrow-swap');
    item.contextValue = 'localProxy';
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
