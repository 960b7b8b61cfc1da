import * as assert from 'node:assert/strict';
import { createLocalJWKSet } from 'jose';
import * as vscode from 'vscode';
import { registerMcpProvider } from '../../src/extension/mcp/mcpProvider';
import { MetadataServer } from '../emulators/google/metadataServer';
import { McpServer } from '../emulators/mcp/mcpServer';
import { tokenExplorer } from './helpers/api';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'curl', version: '1' },
  },
});

describe('Local authenticating proxy in VS Code', () => {
  let metadata: MetadataServer;
  let mcp: McpServer;
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');

  before(async () => {
    metadata = await MetadataServer.start();
    mcp = await McpServer.start({
      issuer: 'https://accounts.google.com',
      keys: createLocalJWKSet(metadata.jwks()),
      tools: [],
    });
    await config().update(
      'accounts',
      [{ id: 'proxy-caller', kind: 'google-metadata', settings: { endpoint: metadata.url } }],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await mcp.stop();
    await metadata.stop();
  });

  it('forwards an MCP request to an IAM-protected server with a fresh token, then stops', async () => {
    const url = await vscode.commands.executeCommand<string>('tokenExplorer.startLocalProxy', {
      account: 'proxy-caller',
      target: mcp.url,
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const reply = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: 'Bearer forged-by-the-client',
      },
      body: INITIALIZE,
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'text/event-stream');
    assert.ok(reply.headers.get('mcp-session-id'));
    assert.match(await reply.text(), /"serverInfo":\{"name":"cloud-run-mcp-emulator"/);
    const seen = mcp.requests.at(-1);
    assert.equal(seen?.status, 200);
    assert.notEqual(seen?.token, 'forged-by-the-client');

    await vscode.commands.executeCommand('tokenExplorer.stopLocalProxy', { url });
    await assert.rejects(fetch(`${url}/mcp`), /fetch failed/);
  });

  it('passes the target’s 401 through when the token is for another audience', async () => {
    const url = await vscode.commands.executeCommand<string>('tokenExplorer.startLocalProxy', {
      account: 'proxy-caller',
      target: mcp.url,
      audience: 'https://another-service.example',
      header: 'X-Serverless-Authorization',
    });
    try {
      const reply = await fetch(`${url}/mcp`, { method: 'POST', body: INITIALIZE });
      assert.equal(reply.status, 401);
      assert.equal(reply.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    } finally {
      await vscode.commands.executeCommand('tokenExplorer.stopLocalProxy', { url });
    }
  });

  it('does not offer MCP servers where VS Code lacks the MCP API, and says so in the log', () => {
    const lines: string[] = [];
    const disposables = registerMcpProvider(
      {},
      {
        tokens: { get: () => Promise.reject(new Error('not called')) },
        accounts: () => [],
        onTokenChange: () => ({ dispose: () => undefined }),
        logger: {
          info: (m) => lines.push(m),
          warn: (m) => lines.push(m),
          error: (m) => lines.push(m),
        },
        eagerRefreshMs: 300_000,
      },
    );
    assert.deepEqual(disposables, []);
    assert.match(lines.join('\n'), /no MCP server API/);
  });
});
