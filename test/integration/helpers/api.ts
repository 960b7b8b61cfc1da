import * as vscode from 'vscode';
import type { TokenExplorerApi } from '../../../src/extension/extension';

/** The activated extension's API. */
export async function tokenExplorer(): Promise<TokenExplorerApi> {
  const extension = vscode.extensions.getExtension<TokenExplorerApi>(
    'token-explorer.token-explorer',
  );
  if (!extension) throw new Error('token-explorer.token-explorer is not loaded');
  return extension.activate();
}
