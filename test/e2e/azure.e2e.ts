// Azure access tokens as a user meets them in real VS Code: the UI says "access token" where it
// says "ID token" for the other kinds (Get ID Token's account list, its progress and copy
// notification, the account's tooltip). Tokens come from a fake `az` (test/emulators/azure/az.mjs).
import * as assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { makeFakeAz } from '../emulators/azure/fakeAz';
import type { FakeAz } from '../emulators/azure/fakeAz';
import { eventually } from '../helpers/poll';
import {
  hoverUntilShown,
  launchVsCode,
  quickInput,
  quickInputBox,
  screenshotPath,
  showViewContainer,
  treeRow,
  viewPane,
  waitForNotification,
  widenSideBar,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';

const APP = 'api://contoso-orders';

describe('Azure access tokens in VS Code', () => {
  let vscode: VsCode;
  let az: FakeAz;

  before(async function () {
    this.timeout(120_000);
    az = await makeFakeAz({ loggedIn: true, resources: [APP] });
    vscode = await launchVsCode({
      settings: { 'tokenExplorer.verification.fetchIssuerKeys': false },
      machineSettings: {
        'tokenExplorer.az.path': az.path,
        'tokenExplorer.accounts': [
          {
            id: 'orders',
            kind: 'azure-access-token',
            name: 'orders (az)',
            settings: { method: 'az' },
          },
          { id: 'job', kind: 'bitbucket-pipelines', name: 'pipeline step', settings: {} },
        ],
      },
    });
  });

  after(async () => {
    await vscode?.close();
    await az?.cleanup();
  });

  it('says "access token" in the account list, the copy notification and the tooltip', async () => {
    const { page } = vscode;
    await vscode.runCommand('Token Explorer: Get ID Token');
    const picker = await quickInput(page, 'Get ID token');
    const row = picker.locator('.quick-input-list .monaco-list-row', { hasText: 'orders (az)' });
    await row.waitFor();
    assert.match(await row.innerText(), /Azure: access token \(Entra\)/);
    await row.click();
    const audience = await quickInputBox(page, 'Audience for orders (az)');
    await audience.fill(APP);
    // "use this audience" the first time; on a retry the audience is listed as recent.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: APP }).first().waitFor();
    await audience.press('Enter');
    await waitForNotification(page, 'Access token for orders (az) copied (');
    const token = await eventually(
      'the token on the clipboard',
      () => vscode.readClipboard(),
      (t) => t.startsWith('eyJ'),
    );
    await jwtVerify(token, createLocalJWKSet(az.jwks), { audience: APP });

    await showViewContainer(page, 'Token Explorer');
    await widenSideBar(page, 520);
    const account = treeRow(viewPane(page, 'Service Accounts'), 'orders (az)');
    const hover = page
      .locator('.monaco-hover, .workbench-hover')
      .filter({ hasText: 'Mints access tokens.' });
    await hoverUntilShown(page, account, hover.first(), 30_000);
    await vscode.screenshot(screenshotPath('azure-access-token.png'));
  });
});
