import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { TokenExplorerError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { vaultLogin as logInToVault } from '../../core/vault/login';
import { SETTINGS_SECTION } from '../adapters/settings';
import { showAccountlessError } from '../remedies';
import type { InspectorPanel } from '../webview/inspectorPanel';

/** `executeCommand('tokenExplorer.vaultLogin', {address, mount, role, namespace})`. */
interface VaultLoginArgs {
  readonly address?: unknown;
  readonly mount?: unknown;
  readonly role?: unknown;
  readonly namespace?: unknown;
}

/** What the command returns: never the Vault token itself. */
export interface VaultLoginSummary {
  readonly policies: readonly string[];
  readonly leaseDuration: number;
  readonly renewable: boolean;
}

/**
 * A Vault setting: machine-scoped, so only the user's (or remote machine's) value counts, never a
 * workspace's; then the variable the Vault CLI reads (VAULT_ADDR, VAULT_NAMESPACE, VAULT_CACERT).
 */
function setting(key: string, envName?: string): string | undefined {
  const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<string>(`vault.${key}`);
  const text = typeof value?.globalValue === 'string' ? value.globalValue.trim() : '';
  return text || (envName ? process.env[envName]?.trim() || undefined : undefined);
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

/**
 * "Log In to Vault with the Inspected Token": POSTs the inspected token to Vault's JWT auth
 * login and shows the policies, TTL and renewability, or Vault's exact error with its likely
 * cause. The Vault token is offered once for the clipboard and kept nowhere else.
 */
export async function vaultLogin(
  inspector: InspectorPanel,
  logger: Logger,
  timeoutMs: number,
  arg?: unknown,
): Promise<VaultLoginSummary | undefined> {
  const jwt = inspector.current?.inspection.token;
  if (!jwt) {
    void vscode.window.showInformationMessage(
      'Inspect a token first, then log in to Vault with it.',
    );
    return undefined;
  }
  const args = (arg ?? {}) as VaultLoginArgs;
  const address =
    text(args.address) ??
    setting('address', 'VAULT_ADDR') ??
    (await vscode.window.showInputBox({
      title: 'Vault address',
      prompt: 'e.g. https://vault.example.com:8200 (setting tokenExplorer.vault.address)',
      ignoreFocusOut: true,
    }));
  if (!address) return undefined;
  const role =
    text(args.role) ??
    setting('role') ??
    (await vscode.window.showInputBox({
      title: 'Vault JWT role',
      prompt: 'The role of the JWT auth mount (empty: the mount’s default_role)',
      ignoreFocusOut: true,
    }));
  if (role === undefined) return undefined;
  const mount = text(args.mount) ?? setting('mount') ?? 'jwt';
  const namespace = text(args.namespace) ?? setting('namespace', 'VAULT_NAMESPACE');
  const where = `${address} auth/${mount}${role ? ` role "${role}"` : ''}${namespace ? ` namespace "${namespace}"` : ''}`;
  try {
    const caPath = setting('caCertificate', 'VAULT_CACERT');
    const caCertificate = caPath ? await readCa(caPath) : undefined;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Logging in to Vault…' },
      () => logInToVault({ address, mount, role, namespace, caCertificate, timeoutMs }, jwt),
    );
    const policies = result.policies.join(', ') || '(none)';
    const ttl = result.leaseDuration > 0 ? formatTtl(result.leaseDuration) : 'no expiry';
    logger.info(`Vault login at ${where}: policies ${policies}, TTL ${ttl}`);
    let token: string | undefined = result.clientToken;
    void vscode.window
      .showInformationMessage(
        `Vault accepted the token (${where}). Policies: ${policies}. TTL ${ttl}, ${result.renewable ? 'renewable' : 'not renewable'}.`,
        'Copy Vault Token',
      )
      .then(async (choice) => {
        if (choice && token) await vscode.env.clipboard.writeText(token);
        // Offered once: the Vault token is not kept after this message closes.
        token = undefined;
      });
    return {
      policies: result.policies,
      leaseDuration: result.leaseDuration,
      renewable: result.renewable,
    };
  } catch (error) {
    logger.warn(`Vault login at ${where} failed: ${errorMessage(error)}`);
    // Retry with what was answered: the same address, role, mount and namespace, no questions.
    void showAccountlessError(logger, error, {
      message: errorMessage(error),
      retry: () => vaultLogin(inspector, logger, timeoutMs, { address, mount, role, namespace }),
    });
    return undefined;
  }
}

async function readCa(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new TokenExplorerError(
      'bad-config',
      `The Vault CA certificate ${path} (tokenExplorer.vault.caCertificate or VAULT_CACERT) cannot be read: ${(error as { code?: string }).code ?? errorMessage(error)}.`,
      { remedies: [{ kind: 'openSetting', key: 'tokenExplorer.vault.caCertificate' }] },
    );
  }
}

function formatTtl(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : '', s || (!h && !m) ? `${s} s` : '']
    .filter(Boolean)
    .join(' ');
}
