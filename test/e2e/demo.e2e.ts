// The profile `npm start` opens by default (test/emulators/demo.ts): the demo accounts mint from
// the emulators without any set-up, and their tokens verify in the inspector.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Demo } from '../emulators/demo';
import { DEMO_AUDIENCE, startDemo } from '../emulators/demo';
import {
  inlineAction,
  launchVsCode,
  screenshotPath,
  showViewContainer,
  treeRow,
  viewPane,
  webviewFrame,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';

describe('npm start: the demo profile', function () {
  let dir: string;
  let demo: Demo;
  let vscode: VsCode;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-explorer-demo-'));
    demo = await startDemo(dir);
    vscode = await launchVsCode({
      settings: demo.settings,
      machineSettings: demo.machineSettings,
      env: demo.env,
    });
    await showViewContainer(vscode.page, 'Token Explorer');
  });
  after(async () => {
    await vscode?.close();
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [account, screenshot] of [
    ['Demo: metadata server (emulated)', 'demo-metadata.png'],
    ['Demo: impersonation via IAM Credentials (emulated)', undefined],
  ] as const) {
    it(`gets a verified token from "${account}" with two clicks (Get ID Token, Inspect)`, async () => {
      const tree = viewPane(vscode.page, 'Service Accounts');
      // `first()`: a slow mint can meet inlineAction's second click, which shows a second toast.
      const toast = vscode.page
        .locator('.notification-toast', { hasText: `ID token for ${account}` })
        .first();
      await inlineAction(treeRow(tree, account), 'Get ID Token', toast);
      const frame = webviewFrame(vscode.page);
      const shown = frame.locator('.summary-value', { hasText: account });
      // The notification's Inspect button: a tree row redraws each second and can drop a click.
      await toast.getByRole('button', { name: 'Inspect', exact: true }).click();
      await shown.waitFor({ timeout: 30_000 });
      await frame.locator('#verification[data-status="verified"]').waitFor({ timeout: 30_000 });
      assert.match(await frame.locator('#countdown').innerText(), /expires in (59 min|1 h)/);
      const aud = frame.locator('#claims-table tr[data-claim="aud"] .claim-value');
      assert.equal(await aud.innerText(), DEMO_AUDIENCE);
      // The status bar leads with the countdown: a narrow window cuts an item's end, not its start.
      const status = vscode.page
        .locator('.statusbar-item', { hasText: account.slice(0, 20) })
        .first();
      assert.match((await status.innerText()).trim(), /^(59 min|1 h) · Demo: /);
      if (screenshot) await vscode.screenshot(screenshotPath(screenshot));
    });
  }
});
