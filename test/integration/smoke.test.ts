import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('extension', () => {
  it('is installed, activates and registers its commands', async () => {
    const extension = vscode.extensions.getExtension('token-explorer.token-explorer');
    assert.ok(extension, 'token-explorer.token-explorer is not loaded');
    await extension.activate();
    assert.equal(extension.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('tokenExplorer.inspectJwt'), 'tokenExplorer.inspectJwt is missing');
  });

  it('runs in the test workspace the runner created', () => {
    const workspace = process.env.TOKEN_EXPLORER_TEST_WORKSPACE;
    assert.ok(workspace, 'TOKEN_EXPLORER_TEST_WORKSPACE is not set');
    assert.equal(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, workspace);
  });
});
