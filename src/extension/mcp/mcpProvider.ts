import * as vscode from 'vscode';
import { cacheKey } from '../../core/cache/tokenCache';
import { TokenExplorerError, errorMessage, asClause } from '../../core/errors';
import { parseMcpServers, refreshDelayMs } from '../../core/mcp/mcpServers';
import type { McpServerEntry } from '../../core/mcp/mcpServers';
import type { Logger } from '../../core/ports';
import type { Account } from '../../core/providers/provider';
import { authHeaderValue } from '../../core/proxy/loopback';
import type { TokenService } from '../../core/tokenService';
import { SETTINGS_SECTION } from '../adapters/settings';

/** The id declared in package.json `contributes.mcpServerDefinitionProviders`. */
export const MCP_PROVIDER_ID = 'tokenExplorer.mcpServers';
export const MCP_SERVERS_SETTING = 'mcpServers';

/**
 * A header whose value counts token renewals. VS Code (1.103) stops a running MCP server when its
 * provided definition changes, but compares only id, label, launch (URL, headers), roots and
 * presentation, not `version` (McpServerDefinition.equals in contrib/mcp/common/mcpTypes.ts): a
 * new version alone leaves the connection sending the old token (observed in
 * test/integration/mcp.test.ts). A changed header value is a changed launch. Not secret.
 */
export const RENEWAL_HEADER = 'X-Token-Explorer-Renewal';

/** What the provider needs from the rest of the extension. */
export interface McpProviderDeps {
  readonly tokens: Pick<TokenService, 'get'>;
  readonly accounts: () => readonly Account[];
  /** Calls back with the cache key whenever a cached token changes (refresh, new mint). */
  readonly onTokenChange: (listener: (key: string) => void) => vscode.Disposable;
  readonly logger: Logger;
  /** How long before expiry the cache refreshes (the TokenCache's eagerRefreshMs). */
  readonly eagerRefreshMs: number;
}

interface Resolved {
  readonly key: string;
  timer?: NodeJS.Timeout;
}

/**
 * Offers the MCP servers of the setting `tokenExplorer.mcpServers` to VS Code as HTTP servers
 * and, when VS Code starts one, puts a fresh ID token in the chosen header. VS Code sends the
 * headers resolved at start with every request of that connection, so the token must be renewed
 * by a new start: when the token nears expiry (or is refreshed by the user), the server's
 * definition gets a new RENEWAL_HEADER value and the change event fires; VS Code then stops the
 * running connection and starts it again on next use, resolving a new token (README, "MCP
 * servers").
 */
export class McpProvider
  implements vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition>, vscode.Disposable
{
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.changed.event;
  /** Per label: how many times its token was renewed (see RENEWAL_HEADER). */
  private readonly generations = new Map<string, number>();
  private readonly resolved = new Map<string, Resolved>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly deps: McpProviderDeps) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SETTINGS_SECTION}.${MCP_SERVERS_SETTING}`)) {
          this.changed.fire();
        }
      }),
      deps.onTokenChange((key) => {
        for (const [label, entry] of this.resolved) {
          if (entry.key === key) this.renew(label);
        }
      }),
    ];
  }

  /**
   * The declared servers, from user (or remote machine) settings only: the setting is
   * machine-scoped, so a workspace can never point a token at its own URL. Problems go to the log.
   */
  entries(): readonly McpServerEntry[] {
    const { servers, problems } = parseMcpServers(
      vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<unknown>(MCP_SERVERS_SETTING)
        ?.globalValue,
    );
    for (const problem of problems) this.deps.logger.warn(`MCP servers: ${problem}`);
    return servers;
  }

  provideMcpServerDefinitions(): vscode.McpHttpServerDefinition[] {
    return this.entries().map(
      (entry) =>
        new vscode.McpHttpServerDefinition(entry.label, vscode.Uri.parse(entry.url.href), {
          [RENEWAL_HEADER]: String(this.generations.get(entry.label) ?? 1),
        }),
    );
  }

  async resolveMcpServerDefinition(
    server: vscode.McpHttpServerDefinition,
  ): Promise<vscode.McpHttpServerDefinition | undefined> {
    const entry = this.entries().find((e) => e.label === server.label);
    if (!entry) return undefined;
    const account = this.deps
      .accounts()
      .find((a) => a.id === entry.account || a.name === entry.account);
    if (!account) {
      throw new TokenExplorerError(
        'bad-config',
        `MCP server "${entry.label}" names the account "${entry.account}", which is not configured. Fix tokenExplorer.mcpServers or add the account.`,
      );
    }
    let issued;
    try {
      issued = await this.deps.tokens.get(account, entry.audience);
    } catch (error) {
      this.deps.logger.error(
        `MCP server "${entry.label}": no ID token (${asClause(errorMessage(error))})`,
      );
      throw error;
    }
    this.track(entry.label, cacheKey(account.id, entry.audience), issued.token.expiresAt);
    this.deps.logger.info(
      `MCP server "${entry.label}": started with a token for ${entry.audience} in ${entry.header}`,
    );
    server.headers = {
      ...server.headers,
      [entry.header]: authHeaderValue(issued.token.token),
    };
    return server;
  }

  /** Schedules the renewal of a started server's token shortly before it expires. */
  private track(label: string, key: string, expiresAt: number): void {
    const previous = this.resolved.get(label);
    if (previous?.timer) clearTimeout(previous.timer);
    const entry: Resolved = { key };
    const delay = refreshDelayMs(expiresAt, Date.now(), this.deps.eagerRefreshMs);
    // setTimeout holds 32-bit milliseconds; a longer wait is re-armed by the next resolve.
    entry.timer = setTimeout(() => void this.refreshAndRenew(label), Math.min(delay, 2 ** 31 - 1));
    this.resolved.set(label, entry);
  }

  /** Mints the next token first, so that VS Code's restart resolves it rather than the old one. */
  private async refreshAndRenew(label: string): Promise<void> {
    const entry = this.entries().find((e) => e.label === label);
    const account =
      entry && this.deps.accounts().find((a) => a.id === entry.account || a.name === entry.account);
    if (!entry || !account) return;
    try {
      // The cache event of this forced mint calls renew().
      await this.deps.tokens.get(account, entry.audience, { force: true });
    } catch (error) {
      this.deps.logger.warn(
        `MCP server "${label}": token refresh failed (${asClause(errorMessage(error))})`,
      );
    }
  }

  /** Tells VS Code the definition changed, so that it resolves a fresh token. */
  private renew(label: string): void {
    const entry = this.resolved.get(label);
    if (entry?.timer) clearTimeout(entry.timer);
    this.resolved.delete(label);
    this.generations.set(label, (this.generations.get(label) ?? 1) + 1);
    this.deps.logger.info(`MCP server "${label}": token renewed; definition changed`);
    this.changed.fire();
  }

  dispose(): void {
    for (const entry of this.resolved.values()) clearTimeout(entry.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * Registers the provider where VS Code has the MCP API (1.101 and later); elsewhere (an older
 * VS Code or a fork without it) does nothing and says so in the log. Returns what to dispose.
 */
export function registerMcpProvider(
  lm: Partial<Pick<typeof vscode.lm, 'registerMcpServerDefinitionProvider'>>,
  deps: McpProviderDeps,
): vscode.Disposable[] {
  if (typeof lm.registerMcpServerDefinitionProvider !== 'function') {
    deps.logger.info('MCP servers: this VS Code has no MCP server API (1.101+); not offered.');
    return [];
  }
  const provider = new McpProvider(deps);
  return [provider, lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider)];
}
