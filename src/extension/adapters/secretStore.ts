import type * as vscode from 'vscode';
import { TokenExplorerError, errorMessage, asClause } from '../../core/errors';
import type { SecretStore } from '../../core/ports';

function unavailable(error: unknown): TokenExplorerError {
  return new TokenExplorerError(
    'secret-storage-unavailable',
    `VS Code's secret storage is not available (${asClause(errorMessage(error))}), so key material cannot be kept safely. Nothing was written to disk instead. On Linux, install and unlock a keyring (gnome-keyring or KWallet), or run VS Code with --password-store=basic if you accept weaker protection.`,
    { cause: error },
  );
}

/** The core's SecretStore over VS Code SecretStorage; failures are said, never worked around. */
export function vscodeSecretStore(secrets: vscode.SecretStorage): SecretStore {
  return {
    async get(key) {
      try {
        return await secrets.get(key);
      } catch (error) {
        throw unavailable(error);
      }
    },
    async store(key, value) {
      try {
        await secrets.store(key, value);
      } catch (error) {
        throw unavailable(error);
      }
    },
    async delete(key) {
      try {
        await secrets.delete(key);
      } catch (error) {
        throw unavailable(error);
      }
    },
  };
}
