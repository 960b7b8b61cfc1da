import * as assert from 'node:assert/strict';
import { createLocalJWKSet, decodeJwt } from 'jose';
import * as vscode from 'vscode';
import { MetadataServer } from '../emulators/google/metadataServer';
import { McpServer } from '../emulators/mcp/mcpServer';
import { waitFor } from '../helpers/poll';
import { tokenExplorer } from './helpers/api';

const LABEL = 'Cloud Run MCP';
// The server id VS Code gives an extension-provided definition: "<extension id>/<label>".
const SERVER_ID = `token-explorer.token-explorer/${LABEL}`;
const TOOL = 'describe_service';

describe('MCP servers behind Cloud Run IAM', () => {
  let metadata: MetadataServer;
  let mcp: McpServer;
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');
  const tokensSeen = () => mcp.requests.filter((r) => r.status < 300).map((r) => r.token);

  before(async function () {
    if (typeof vscode.lm.registerMcpServerDefinitionProvider !== 'function') {
      throw new Error(
        `VS Code ${vscode.version} has no MCP server API: the harness must run 1.101+`,
      );
    }
    metadata = await MetadataServer.start({
      serviceAccounts: [
        { email: 'mcp-caller@demo-project.iam.gserviceaccount.com', uniqueId: '5005' },
      ],
    });
    mcp = await McpServer.start({
      issuer: 'https://accounts.google.com',
      keys: createLocalJWKSet(metadata.jwks()),
      tools: [{ name: TOOL, description: 'Describes the Cloud Run service' }],
    });
    await config().update(
      'accounts',
      [{ id: 'mcp-caller', kind: 'google-metadata', settings: { endpoint: metadata.url } }],
      vscode.ConfigurationTarget.Global,
    );
    await config().update(
      'mcpServers',
      [{ label: LABEL, url: mcp.endpoint, account: 'mcp-caller' }],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.mcp.stopServer', SERVER_ID);
    await config().update('mcpServers', undefined, vscode.ConfigurationTarget.Global);
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await mcp.stop();
    await metadata.stop();
  });

  it("VS Code's MCP client lists the server's tools through our provider, with a valid ID token", async () => {
    // VS Code learns the provider's definitions asynchronously: retry until it knows the server.
    await waitFor('VS Code to start the MCP server', async () => {
      await vscode.commands.executeCommand('workbench.mcp.startServer', SERVER_ID);
      return mcp.requests.some((r) => r.rpcMethod === 'initialize' && r.status === 200);
    });
    const tool = await waitFor('the MCP tool in vscode.lm.tools', () =>
      vscode.lm.tools.find((t) => t.name.endsWith(TOOL) && t.tags.includes('mcp')),
    );
    assert.equal(tool.description, 'Describes the Cloud Run service');
    const listed = mcp.requests.find((r) => r.rpcMethod === 'tools/list');
    assert.equal(listed?.status, 200);
    const claims = decodeJwt(listed?.token ?? '');
    assert.equal(claims.aud, mcp.url, 'audience defaults to the URL origin');
    assert.ok(
      mcp.requests.every((r) => r.status !== 401),
      'no request went without a valid token',
    );
  });

  it('after the token is refreshed, the next request VS Code sends carries the new token', async () => {
    const old = tokensSeen().at(-1);
    assert.ok(old);
    const tool = vscode.lm.tools.find((t) => t.name.endsWith(TOOL));
    assert.ok(tool);
    const before = mcp.requests.length;
    // Tokens minted within one second would be byte-identical (same iat, deterministic RS256).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await vscode.commands.executeCommand('tokenExplorer.refreshToken', {
      type: 'audience',
      accountId: 'mcp-caller',
      audience: mcp.url,
    });
    // VS Code applies definition changes after a 500 ms throttle (McpService).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Observed: VS Code stops the connection without ending its session (no DELETE) and does not
    // start it again by itself; the next use starts it, resolving a fresh token.
    assert.equal(
      mcp.requests.length,
      before,
      'VS Code sent nothing between the change and the next use',
    );
    const result = await vscode.lm.invokeTool(tool.name, {
      input: {},
      toolInvocationToken: undefined,
    });
    const text = result.content
      .map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : ''))
      .join('');
    assert.equal(text, `called ${TOOL}`);
    const after = mcp.requests.slice(before);
    console.log(
      `observed after the refresh: ${after.map((r) => `${r.httpMethod} ${r.rpcMethod ?? ''} ${r.status} ${r.token === old ? 'old' : 'new'} token`).join('; ')}`,
    );
    const call = after.find((r) => r.rpcMethod === 'tools/call');
    assert.ok(call, 'VS Code called the tool');
    assert.equal(call.status, 200);
    assert.notEqual(call.token, old, 'the tool call carried the old token');
    assert.ok(decodeJwt(call.token ?? '').iat! > decodeJwt(old).iat!);
  });

  it("renews a token that nears expiry on its own, before VS Code's next request", async () => {
    const tool = vscode.lm.tools.find((t) => t.name.endsWith(TOOL));
    assert.ok(tool);
    const call = async () => {
      const before = mcp.requests.length;
      await vscode.lm.invokeTool(tool.name, { input: {}, toolInvocationToken: undefined });
      return mcp.requests.slice(before).find((r) => r.rpcMethod === 'tools/call');
    };
    // A token with 305 s of life enters the cache's 5-minute refresh window 5 s after it is minted.
    metadata.idTokenLifetime = '305s';
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await vscode.commands.executeCommand('tokenExplorer.refreshToken', {
      type: 'audience',
      accountId: 'mcp-caller',
      audience: mcp.url,
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const short = await call();
    const shortToken = short?.token ?? '';
    const claims = decodeJwt(shortToken);
    assert.equal(claims.exp! - claims.iat!, 305);
    metadata.idTokenLifetime = '1h';
    const minted = metadata.requestCount;
    await waitFor(
      'the provider to mint the next token by itself',
      () => metadata.requestCount > minted,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const next = await call();
    assert.equal(next?.status, 200);
    assert.notEqual(next?.token, shortToken);
    const renewed = decodeJwt(next?.token ?? '');
    assert.equal(renewed.exp! - renewed.iat!, 3600);
  });
});
