import * as vscode from 'vscode';
import { parseHttpUrl } from '../../core/call/target';
import { TokenExplorerError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/ports';
import type { Account } from '../../core/providers/provider';
import { TOKEN_HEADERS } from '../../core/proxy/loopback';
import type { TokenHeader } from '../../core/proxy/loopback';
import { SETTINGS_SECTION } from '../adapters/settings';
import type { AccountsStore } from '../adapters/accountsStore';
import { MCP_SERVERS_SETTING } from '../mcp/mcpProvider';
import type { LocalProxies, RunningProxy } from '../proxy/proxies';

export interface ProxyCommandDeps {
  readonly store: AccountsStore;
  readonly proxies: LocalProxies;
  readonly logger: Logger;
}

/** `{account, target, audience?, header?, port?}`, for tests and other extensions. */
interface ProxyArgs {
  readonly account?: string;
  readonly target?: string;
  readonly audience?: string;
  readonly header?: string;
  readonly port?: number;
}

const HEADER_HELP: Record<TokenHeader, string> = {
  Authorization: 'Cloud Run IAM, IAP, most OIDC-protected services',
  'X-Serverless-Authorization': 'Cloud Run, leaving Authorization to your app',
  'Proxy-Authorization': 'IAP, leaving Authorization to your app',
};

function findAccount(store: AccountsStore, name: string): Account {
  const { accounts } = store.read();
  const account = accounts.find((a) => a.id === name || a.name === name);
  if (!account) {
    throw new TokenExplorerError(
      'bad-config',
      `No account "${name}" is configured (known: ${accounts.map((a) => a.id).join(', ') || 'none'}).`,
    );
  }
  return account;
}

function parseTarget(text: string): URL {
  return parseHttpUrl(
    text,
    `"${text}" is not a URL. Enter e.g. https://my-service-abc123-uc.a.run.app`,
    (protocol) => `The target must be an http or https URL, not ${protocol}.`,
  );
}

function parseHeader(text: string | undefined): TokenHeader {
  const header = TOKEN_HEADERS.find(
    (h) => h.toLowerCase() === (text ?? 'Authorization').toLowerCase(),
  );
  if (!header) {
    throw new TokenExplorerError(
      'bad-config',
      `The header must be one of ${TOKEN_HEADERS.join(', ')}, not "${text}".`,
    );
  }
  return header;
}

async function askAccount(store: AccountsStore, title: string): Promise<Account | undefined> {
  const { accounts } = store.read();
  if (accounts.length === 0) {
    void vscode.window.showInformationMessage(
      'Add an account first: Token Explorer: Add Account….',
    );
    return undefined;
  }
  if (accounts.length === 1) return accounts[0];
  const pick = await vscode.window.showQuickPick(
    accounts.map((account) => ({
      label: account.name ?? account.id,
      description: account.kind,
      account,
    })),
    { title, placeHolder: 'Whose ID token authenticates the requests?' },
  );
  return pick?.account;
}

/** Asks for target, account, audience and header; undefined when the user cancels. */
async function askTarget(
  deps: ProxyCommandDeps,
  title: string,
): Promise<{ account: Account; target: URL; audience: string; header: TokenHeader } | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt: 'The service URL (Cloud Run, IAP, any OIDC-protected HTTP service)',
    placeHolder: 'https://my-service-abc123-uc.a.run.app',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        parseTarget(value);
        return undefined;
      } catch (error) {
        return errorMessage(error);
      }
    },
  });
  if (!text) return undefined;
  const target = parseTarget(text);
  const account = await askAccount(deps.store, title);
  if (!account) return undefined;
  const audience = await vscode.window.showInputBox({
    title,
    prompt: 'Audience of the ID token (Cloud Run: the service URL)',
    value: target.origin,
    ignoreFocusOut: true,
  });
  if (audience === undefined) return undefined;
  const header = await vscode.window.showQuickPick(
    TOKEN_HEADERS.map((h) => ({ label: h, description: HEADER_HELP[h] })),
    { title, placeHolder: 'Which header carries the token?' },
  );
  if (!header) return undefined;
  return { account, target, audience: audience.trim() || target.origin, header: header.label };
}

/**
 * "Start Local Proxy for…". With `{account, target, …}` it runs without asking and returns the
 * proxy's URL; otherwise it asks and shows the URL with a copy action.
 */
export async function startLocalProxy(
  deps: ProxyCommandDeps,
  arg?: unknown,
): Promise<string | undefined> {
  const args = (arg && typeof arg === 'object' ? arg : {}) as ProxyArgs;
  const port = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<number>('proxy.port', 0);
  if (args.account !== undefined && args.target !== undefined) {
    const target = parseTarget(args.target);
    const started = await deps.proxies.start({
      account: findAccount(deps.store, args.account),
      target,
      audience: args.audience ?? target.origin,
      header: parseHeader(args.header),
      port: args.port ?? port,
    });
    return started.url;
  }
  const chosen = await askTarget(deps, 'Start Local Proxy');
  if (!chosen) return undefined;
  let started: RunningProxy;
  try {
    started = await deps.proxies.start({ ...chosen, port });
  } catch (error) {
    void vscode.window.showErrorMessage(errorMessage(error));
    return undefined;
  }
  void vscode.window
    .showInformationMessage(
      `Local proxy for ${started.target} listening on ${started.url}.`,
      'Copy Local Proxy URL',
    )
    .then((choice) => choice && vscode.env.clipboard.writeText(started.url));
  return started.url;
}

function proxyUrl(deps: ProxyCommandDeps, arg: unknown): string | undefined {
  if (arg && typeof arg === 'object' && 'url' in arg && typeof arg.url === 'string') return arg.url;
  const running = deps.proxies.list();
  return running.length === 1 ? running[0]?.url : undefined;
}

/** Stops the proxy of a tree row, `{url}`, or the only one running. */
export async function stopLocalProxy(deps: ProxyCommandDeps, arg?: unknown): Promise<void> {
  const url =
    proxyUrl(deps, arg) ??
    (
      await vscode.window.showQuickPick(
        deps.proxies.list().map((p) => ({ label: p.url, description: `→ ${p.target}` })),
        { title: 'Stop Local Proxy' },
      )
    )?.label;
  if (url) await deps.proxies.stop(url);
}

export async function copyLocalProxyUrl(deps: ProxyCommandDeps, arg?: unknown): Promise<void> {
  const url = proxyUrl(deps, arg);
  if (url) await vscode.env.clipboard.writeText(url);
}

/**
 * "Add MCP Server…": asks for the endpoint, account, audience and header and appends the server
 * to the machine-scoped setting tokenExplorer.mcpServers (user or remote-machine settings).
 */
export async function addMcpServer(deps: ProxyCommandDeps): Promise<void> {
  const chosen = await askTarget(deps, 'Add MCP Server');
  if (!chosen) return;
  const label = await vscode.window.showInputBox({
    title: 'Add MCP Server',
    prompt: 'Name shown in VS Code’s MCP server list',
    value: chosen.target.hostname.split('.')[0],
    ignoreFocusOut: true,
  });
  if (!label) return;
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const current = config.inspect<unknown>(MCP_SERVERS_SETTING)?.globalValue;
  const list = Array.isArray(current) ? current : [];
  await config.update(
    MCP_SERVERS_SETTING,
    [
      ...list,
      {
        label,
        url: chosen.target.href,
        account: chosen.account.id,
        ...(chosen.audience !== chosen.target.origin ? { audience: chosen.audience } : {}),
        ...(chosen.header !== 'Authorization' ? { header: chosen.header } : {}),
      },
    ],
    vscode.ConfigurationTarget.Global,
  );
  deps.logger.info(`MCP server "${label}" added for ${chosen.target.origin}`);
  void vscode.window.showInformationMessage(
    `MCP server "${label}" added: VS Code lists it under MCP servers (Token Explorer).`,
  );
}
