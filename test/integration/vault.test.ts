import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VaultLoginSummary } from '../../src/extension/commands/vaultLogin';
import { OidcIssuer } from '../emulators/oidcIssuer';
import { VaultServer } from '../emulators/vault/vaultServer';
import { waitFor } from '../helpers/poll';
import { tokenExplorer } from './helpers/api';

describe('Log in to Vault with the inspected token', () => {
  let issuer: OidcIssuer;
  let vault: VaultServer;

  before(async () => {
    issuer = await OidcIssuer.start();
    vault = await VaultServer.start();
    await vault.mountTrusting('jwt', issuer.jwksUrl, {
      roles: {
        ci: {
          user_claim: 'sub',
          bound_audiences: ['vault'],
          token_policies: ['read'],
          token_ttl: 1800,
        },
      },
    });
    const api = await tokenExplorer();
    const token = await issuer.sign({ sub: 'project_path:g/p', aud: 'vault' });
    await vscode.commands.executeCommand('tokenExplorer.inspectJwt', token);
    await waitFor(
      'the token in the inspector',
      () => api.inspector.state()?.inspection.token === token,
    );
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vault.stop();
    await issuer.stop();
  });

  it('logs in at auth/jwt and reports policies, TTL and renewable; the Vault token is not returned', async () => {
    const summary = await vscode.commands.executeCommand<VaultLoginSummary | undefined>(
      'tokenExplorer.vaultLogin',
      { address: vault.url, role: 'ci' },
    );
    assert.deepEqual(summary, {
      policies: ['default', 'read'],
      leaseDuration: 1800,
      renewable: true,
    });
    assert.equal(vault.logins.at(-1)?.path, '/v1/auth/jwt/login');
    const issued = vault.issuedTokens.at(-1) ?? '';
    assert.ok(issued.startsWith('hvs.'));
    assert.ok(!JSON.stringify(summary).includes(issued));
  });

  it('a refused login returns nothing and keeps the extension working', async () => {
    const summary = await vscode.commands.executeCommand('tokenExplorer.vaultLogin', {
      address: vault.url,
      role: 'missing',
    });
    assert.equal(summary, undefined);
    const again = await vscode.commands.executeCommand<VaultLoginSummary | undefined>(
      'tokenExplorer.vaultLogin',
      { address: vault.url, role: 'ci' },
    );
    assert.equal(again?.renewable, true);
  });
});
