// The Token Inspector as a user meets it: command palette, input box, webview, in real VS Code.
import * as assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';
import type { FrameLocator } from 'playwright-core';
import { OidcIssuer } from '../emulators/oidcIssuer';
import { graphLikeToken } from '../fixtures/graphToken';
import { eventually } from '../helpers/poll';
import { launchVsCode, webviewFrame, screenshotPath } from './harness/vscode';
import type { VsCode } from './harness/vscode';

// Tests stay offline: no fetching of issuer keys.
const settings = { 'tokenExplorer.verification.fetchIssuerKeys': false };

async function sign(payload: JWTPayload): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(payload)
    .setProtectedHeader({
      alg: 'RS256',
      typ: 'JWT',
      kid: '6f7254101f56e41cf35c9926de84a2d552b4c6f1',
    })
    .sign(privateKey);
}

const now = (): number => Math.floor(Date.now() / 1000);

/** Runs "Inspect JWT" with an empty clipboard, enters token and waits for its claims. */
async function inspect(vscode: VsCode, token: string, claim = 'sub'): Promise<FrameLocator> {
  const { page } = vscode;
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await vscode.runCommand('Token Explorer: Inspect JWT');
  const input = page.locator('.quick-input-widget input[placeholder^="eyJ"]');
  await input.waitFor();
  await input.fill(token);
  await input.press('Enter');
  await page.locator('.tab', { hasText: 'Token Inspector' }).waitFor();
  const frame = webviewFrame(page);
  await frame.locator(`#claims-table tr[data-claim="${claim}"] .claim-value`).waitFor();
  return frame;
}

function claimValue(frame: FrameLocator, claim: string): Promise<string> {
  return frame.locator(`#claims-table tr[data-claim="${claim}"] .claim-value`).innerText();
}

/** Resolves when #countdown shows something else than it does now, or fails after 2.5 s. */
async function countdownTicks(frame: FrameLocator): Promise<void> {
  const countdown = frame.locator('#countdown');
  const before = await countdown.innerText();
  await eventually(
    '#countdown to tick',
    () => countdown.innerText(),
    (now) => now !== before,
    2500,
  );
}

describe('Token Inspector in VS Code', function () {
  let vscode: VsCode;

  before(async () => {
    vscode = await launchVsCode({ settings });
  });

  after(async () => {
    await vscode?.close();
  });

  it('shows the claims of a token typed into the input box, with a live countdown', async () => {
    const token = await sign({
      iss: 'https://issuer.example',
      sub: 'user-42',
      aud: 'my-api',
      iat: now(),
      exp: now() + 3600,
    });
    const frame = await inspect(vscode, token);
    assert.equal(await claimValue(frame, 'sub'), 'user-42');
    assert.equal(await claimValue(frame, 'iss'), 'https://issuer.example');
    assert.match(await claimValue(frame, 'aud'), /my-api/);
    await countdownTicks(frame);
  });

  it('explains why the signature of a Microsoft Graph token cannot be checked', async () => {
    const { token } = await graphLikeToken({
      aud: '00000003-0000-0000-c000-000000000000',
      iss: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
      sub: 'graph-user',
      exp: now() + 3600,
    });
    const frame = await inspect(vscode, token);
    const box = frame.locator('#verification[data-status="unverifiable"]');
    await box.waitFor();
    const text = await box.innerText();
    assert.match(text, /Signature cannot be checked here/);
    assert.match(text, /Microsoft Graph access token with a "nonce" in its header/);
    assert.doesNotMatch(text, /does not match/);
    await box.scrollIntoViewIfNeeded();
    await vscode.screenshot(screenshotPath('inspector-graph-token.png'));
  });

  it('shows hostile claim values as text and runs none of them', async () => {
    const hostile = {
      sub: 'hostile',
      img: '<img src=x onerror="window.__pwned=1">',
      script: '</script><script>window.__pwned=2</script>',
      website: 'javascript:alert(1)',
      style: '<style>*{display:none}</style>',
      big: 'A'.repeat(100_000),
      bidi: 'invoice\u202Efdp.exe',
    };
    const frame = await inspect(vscode, await sign({ ...hostile, exp: now() + 600 }), 'img');
    assert.match(await claimValue(frame, 'img'), /<img src=x onerror=/);
    assert.match(await claimValue(frame, 'script'), /<\/script><script>window.__pwned=2/);
    assert.match(await claimValue(frame, 'website'), /javascript:alert\(1\)/);
    assert.match(await claimValue(frame, 'style'), /<style>\*\{display:none\}<\/style>/);
    assert.match(await claimValue(frame, 'big'), /^A{1000}/);
    const bidi = await claimValue(frame, 'bidi');
    assert.ok(bidi.startsWith('invoice') && bidi.endsWith('fdp.exe'), bidi);

    const table = frame.locator('#claims-table');
    for (const tag of ['img', 'script', 'style', 'a[href^="javascript:"]']) {
      assert.equal(await table.locator(tag).count(), 0, `${tag} inside #claims-table`);
    }
    assert.equal(await table.isVisible(), true);
    const pwned = () => (window as Window & { __pwned?: unknown }).__pwned;
    assert.equal(await frame.locator('body').evaluate(pwned), undefined);
    assert.equal(await vscode.page.evaluate(pwned), undefined);

    // Still responsive: the countdown ticks and the command palette opens.
    await countdownTicks(frame);
    await vscode.page.keyboard.press('F1');
    await vscode.page.locator('.quick-input-widget input').waitFor({ timeout: 5000 });
    await vscode.page.keyboard.press('Escape');
  });

  it('comes back after a window reload, showing the same token', async () => {
    const token = await sign({
      iss: 'https://issuer.example',
      sub: 'reloaded-7',
      aud: 'my-api',
      iat: now(),
      exp: now() + 3600,
    });
    await inspect(vscode, token);
    await vscode.reload();
    await vscode.page.locator('.tab', { hasText: 'Token Inspector' }).waitFor();
    const frame = webviewFrame(vscode.page);
    const sub = frame.locator('#claims-table tr[data-claim="sub"] .claim-value');
    await sub.waitFor({ timeout: 30_000 });
    assert.equal(await sub.innerText(), 'reloaded-7');
    await countdownTicks(frame);
  });
});

describe('Token Inspector screenshots', function () {
  const themes = [
    { theme: 'Default Dark Modern', file: 'inspector-dark.png' },
    { theme: 'Default Light Modern', file: 'inspector-light.png' },
  ];
  // Google's issuer, its keys served by a local issuer so that the signature shows as verified.
  const google = 'https://accounts.google.com';
  let issuer: OidcIssuer;
  let token: string;

  before(async () => {
    issuer = await OidcIssuer.start();
    const kid = await issuer.addKey('RS256', '6f7254101f56e41cf35c9926de84a2d552b4c6f1');
    token = await issuer.sign(
      {
        iss: google,
        aud: 'https://my-service-abc123-uc.a.run.app',
        azp: '104583942615803746192',
        email: 'deployer@my-project-123456.iam.gserviceaccount.com',
        email_verified: true,
        sub: '104583942615803746192',
      },
      { kid, expiresIn: '1h' },
    );
  });

  after(async () => {
    await issuer?.stop();
  });

  for (const { theme, file } of themes) {
    it(`in ${theme}`, async () => {
      const vscode = await launchVsCode({
        settings: {
          'tokenExplorer.verification.fetchIssuerKeys': true,
          'workbench.colorTheme': theme,
        },
        machineSettings: { 'tokenExplorer.verification.jwksUris': { [google]: issuer.jwksUrl } },
      });
      try {
        await vscode.runCommand('View: Close Primary Side Bar');
        const frame = await inspect(vscode, token, 'email');
        await frame.locator('#verification[data-status="verified"]').waitFor();
        assert.match(await frame.locator('#verification').innerText(), /Signature verified/);
        // The title bar (badge, countdown) is sticky: scroll the verification up under it, so
        // that the claims table starts within the picture.
        await frame.locator('#verification-heading').evaluate((heading) => {
          const bar = document.querySelector('.titlebar')?.getBoundingClientRect().height ?? 0;
          window.scrollBy(0, heading.getBoundingClientRect().top - bar - 12);
        });
        await frame.locator('#claims-table tr[data-claim="aud"]').waitFor();
        // Let fonts, codicons and the first countdown tick settle.
        await vscode.page.waitForTimeout(1000);
        await vscode.screenshot(screenshotPath(file));
      } finally {
        await vscode.close();
      }
    });
  }
});
