// The local authenticating proxy as a user meets it: "Start Local Proxy for…" from the palette,
// the proxy's row in the Local Proxies view, a request through it reaching an MCP server behind
// (emulated) Cloud Run IAM, and the row's stop action.
import * as assert from 'node:assert/strict';
import { createLocalJWKSet, decodeJwt } from 'jose';
import { MetadataServer } from '../emulators/google/metadataServer';
import { McpServer } from '../emulators/mcp/mcpServer';
import { eventually } from '../helpers/poll';
import { launchVsCode, screenshotPath, waitForNotification } from './harness/vscode';
import type { VsCode } from './harness/vscode';
import {
  pickRow,
  quickInput,
  quickInputBox,
  showTokenExplorer,
  viewPane,
  widenSideBar,
} from './helpers/workbench';

describe('Local proxy in VS Code', function () {
  let vscode: VsCode | undefined;
  let metadata: MetadataServer | undefined;
  let mcp: McpServer | undefined;

  before(async function () {
    this.timeout(120_000);
    metadata = await MetadataServer.start();
    mcp = await McpServer.start({
      issuer: 'https://accounts.google.com',
      keys: createLocalJWKSet(metadata.jwks()),
    });
    vscode = await launchVsCode({
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
      machineSettings: {
        'tokenExplorer.accounts': [
          {
            id: 'runner',
            kind: 'google-metadata',
            name: 'runner (metadata server)',
            settings: { endpoint: metadata.url },
          },
        ],
      },
    });
  });

  after(async () => {
    await vscode?.close();
    await mcp?.stop();
    await metadata?.stop();
  });

  it('starts a proxy from the palette, forwards with a valid token, shows and stops it', async function () {
    this.timeout(120_000);
    const { page } = vscode!;
    await vscode!.runCommand('Token Explorer: Start Local Proxy for…');
    const urlBox = await quickInput(page, 'Start Local Proxy');
    // With a trailing slash, so that the URL box and the audience box (the origin) differ.
    await quickInputBox(urlBox).fill(`${mcp!.url}/`);
    await page.keyboard.press('Enter');
    // One account: no account picker. The audience box proposes the URL's origin.
    await eventually(
      'the audience box to propose the origin',
      () => quickInputBox(urlBox).inputValue(),
      (value) => value === mcp!.url,
    );
    await page.keyboard.press('Enter');
    await pickRow(await quickInput(page, 'Start Local Proxy'), 'X-Serverless-Authorization');
    const toast = await waitForNotification(page, 'Local proxy for');
    const proxyUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(await toast.innerText())?.[1];
    assert.ok(proxyUrl, 'the notification names the proxy URL');

    const reply = await fetch(`${proxyUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    const seen = mcp!.requests.at(-1);
    assert.equal(reply.status, 200);
    assert.equal(seen?.status, 200);
    assert.equal(decodeJwt(seen?.token ?? '').aud, mcp!.url);

    await showTokenExplorer(page);
    await widenSideBar(page, 560);
    const pane = viewPane(page, 'Local Proxies');
    const row = pane.locator('.monaco-list-row', { hasText: proxyUrl });
    await row.waitFor();
    assert.ok((await row.innerText()).includes(`→ ${mcp!.url}/`));
    await page.mouse.move(700, 880);
    await page.waitForTimeout(1000);
    await vscode!.screenshot(screenshotPath('local-proxy.png'));

    await row.hover();
    await row.locator('.action-label[aria-label^="Stop Local Proxy"]').click();
    await row.waitFor({ state: 'detached' });
    await assert.rejects(fetch(`${proxyUrl}/mcp`), /fetch failed/);
  });
});
