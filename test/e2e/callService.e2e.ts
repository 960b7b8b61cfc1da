// Call Service as a user meets it: a token in the inspector, "Call service…" in its toolbar, the
// request sent to the Cloud Run front-end emulator, the findings read in the webview; then masked
// mode in the webview and in the accounts tree.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { GoogleApis } from '../emulators/google/googleApis';
import { mintGoogleIdToken } from '../emulators/services/googleTokens';
import { ProtectedService } from '../emulators/services/protectedService';
import {
  audienceRow,
  launchVsCode,
  screenshotPath,
  showViewContainer,
  viewPane,
  webviewFrame,
  widenSideBar,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';
import { pickRow, quickInput, quickInputBox } from './helpers/workbench';

const USER = 'dev@example.com';
const INVOKER = 'invoker@demo-project.iam.gserviceaccount.com';

describe('Call Service in VS Code', function () {
  let apis: GoogleApis;
  let run: ProtectedService;
  let vscode: VsCode;
  let dir: string;
  let frame: FrameLocator;

  before(async () => {
    apis = await GoogleApis.start();
    const user = apis.addUser({ email: USER });
    await apis.addServiceAccount({ email: INVOKER, withKey: false });
    apis.allow(USER, INVOKER);
    run = await ProtectedService.start({
      frontEnd: 'cloud-run',
      jwksUrl: apis.jwksUrl,
      invokers: [INVOKER],
    });
    dir = mkdtempSync(join(tmpdir(), 'call-e2e-'));
    const credentialsFile = join(dir, 'adc.json');
    writeFileSync(credentialsFile, user.adcJson);
    vscode = await launchVsCode({
      settings: { 'tokenExplorer.verification.fetchIssuerKeys': false },
      machineSettings: {
        'tokenExplorer.accounts': [
          {
            id: 'invoker',
            name: 'Invoker SA',
            kind: 'google-impersonation',
            settings: {
              targetServiceAccount: INVOKER,
              credentialsFile,
              iamCredentialsEndpoint: apis.url,
            },
          },
        ],
      },
    });
  });

  after(async () => {
    await vscode?.close();
    await run?.stop();
    await apis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a request from the inspector and shows why a wrong audience got a 401', async () => {
    const { page } = vscode;
    const token = await mintGoogleIdToken(apis, {
      caller: USER,
      serviceAccount: INVOKER,
      audience: 'https://billing-abc123-uc.a.run.app',
    });
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await vscode.runCommand('Token Explorer: Inspect Token…');
    const input = page.locator('.quick-input-widget input[placeholder^="eyJ"]');
    await input.fill(token);
    await input.press('Enter');
    frame = webviewFrame(page);
    await frame.locator('#claims-table tr[data-claim="aud"]').waitFor();

    await frame.locator('#call-service').click();
    const url = quickInputBox(await quickInput(page, 'Call Service: URL'));
    await url.fill(`${run.url}/orders`);
    await url.press('Enter');
    await pickRow(await quickInput(page, 'Call Service: method'), 'GET');
    await pickRow(await quickInput(page, 'Call Service: send the token in'), /^Authorization/);
    await quickInputBox(await quickInput(page, 'Call Service: extra headers')).press('Enter');

    const status = frame.locator('#call-status');
    await status.waitFor();
    assert.match(await status.innerText(), /^HTTP 401/);
    const findings = frame.locator('#call-findings');
    const audience = findings.locator('li[data-rule="audience"]');
    assert.match(await audience.innerText(), /Wrong audience: not this Cloud Run service/);
    assert.match(await audience.innerText(), /aud is "https:\/\/billing-abc123-uc\.a\.run\.app"/);
    assert.match(
      await audience.innerText(),
      new RegExp(`expects "${run.url.replace(/\./g, '\\.')}"`),
    );
    const challenge = findings.locator('li[data-rule="challenge"]');
    assert.match(await challenge.innerText(), /invalid_token/);
    // The body is Cloud Run's HTML error page, shown as text: no element made of it.
    assert.match(
      await frame.locator('.call-body-text').innerText(),
      /<h1>Error: Unauthorized<\/h1>/,
    );
    assert.equal(await frame.locator('#call h1').count(), 0);

    await page.keyboard.press('Escape');
    await frame.locator('#call').scrollIntoViewIfNeeded();
    await page.mouse.move(1200, 600);
    await page.waitForTimeout(500);
    await vscode.screenshot(screenshotPath('call-service-wrong-audience.png'));
  });

  it('masks tokens in the inspector and the tree until revealed', async () => {
    const { page } = vscode;
    await vscode.runCommand('Token Explorer: Toggle Masked Mode (Screen Sharing)');
    const masked = frame.locator('#masked-token');
    await masked.waitFor();
    assert.match(await masked.innerText(), /^eyJ\w{3}…[\w-]{4}$/);
    assert.equal(await frame.locator('#raw-token').isVisible(), false);
    await frame.locator('#reveal-token').click();
    await frame.locator('#raw-token').waitFor();

    // A token in the tree: Get ID Token for the only account, then hover its audience row.
    await vscode.runCommand('Token Explorer: Get ID Token');
    const audienceBox = quickInputBox(await quickInput(page, 'Audience for Invoker SA'));
    await audienceBox.fill(run.url);
    await audienceBox.press('Enter');
    await showViewContainer(page, 'Token Explorer');
    await widenSideBar(page, 520);
    const tree = viewPane(page, 'Service Accounts');
    const row = audienceRow(tree, run.url);
    await row.waitFor();
    await row.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Token:' });
    await hover.first().waitFor();
    const text = await hover.first().innerText();
    assert.match(text, /Token: eyJ\w{3}…[\w-]{4}/);
    assert.doesNotMatch(text, /eyJ[\w-]{20,}\./, 'the whole token is not in the tooltip');
  });
});
