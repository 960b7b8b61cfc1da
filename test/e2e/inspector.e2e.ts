// The Token Inspector as a user meets it: command palette, input box, webview, in real VS Code.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';
import type { FrameLocator, Locator } from 'playwright-core';
import { OidcIssuer } from '../emulators/oidcIssuer';
import { graphLikeToken } from '../fixtures/graphToken';
import { eventually } from '../helpers/poll';
import { launchVsCode, pickRow, webviewFrame, screenshotPath } from './harness/vscode';
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

/** Runs "Inspect Token…" with an empty clipboard, enters token and waits for its claims. */
async function inspect(vscode: VsCode, token: string, claim = 'sub'): Promise<FrameLocator> {
  const { page } = vscode;
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await vscode.runCommand('Token Explorer: Inspect Token…');
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

/** Fails unless the element is drawn whole inside `area` (bounding boxes, not DOM presence). */
async function assertInside(
  locator: Locator,
  area: { x: number; y: number; width: number; height: number },
  what: string,
): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await locator.boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0, `${what} is not drawn`);
  assert.ok(
    box.x >= area.x &&
      box.y >= area.y &&
      box.x + box.width <= area.x + area.width + 0.5 &&
      box.y + box.height <= area.y + area.height + 0.5,
    `${what} at ${JSON.stringify(box)} is not inside the first screen ${JSON.stringify(area)}`,
  );
  return box;
}

/**
 * The first screen answers what the token is, for whom, until when and whether its signature was
 * verified, all inside the panel's visible area and above the action buttons.
 */
async function assertFirstScreen(vscode: VsCode, frame: FrameLocator): Promise<void> {
  const panel = await vscode.page.locator('iframe.webview.ready').boundingBox();
  assert.ok(panel, 'the webview is not drawn');
  const area = { ...panel, height: Math.min(panel.height, 900 - panel.y) };
  await assertInside(frame.locator('#status-badge'), area, 'the time badge');
  const countdown = frame.locator('#countdown');
  assert.match(await countdown.innerText(), /expires in \d+ min/);
  await assertInside(countdown, area, 'the countdown');
  await assertInside(frame.locator('#signature-badge'), area, 'the signature badge');
  let lowest = 0;
  for (const key of ['what', 'issuer', 'audience', 'subject', 'email', 'expires', 'signature']) {
    const box = await assertInside(
      frame.locator(`#glance [data-glance="${key}"]`),
      area,
      `the "${key}" line`,
    );
    lowest = Math.max(lowest, box.y + box.height);
  }
  const firstAction = await frame.locator('.actions .button').first().boundingBox();
  assert.ok(firstAction && firstAction.y >= lowest, 'the summary comes before the action buttons');
  assert.equal(
    await frame.locator('#glance [data-glance="signature"] .glance-headline').innerText(),
    'Signature verified',
  );
  assert.equal(await frame.locator('#signature-badge').innerText(), 'Signature verified');
}

describe('Token Inspector first screen at 1440×900', function () {
  const themes = [
    { theme: 'Default Dark Modern', name: 'dark' },
    { theme: 'Default Light Modern', name: 'light' },
  ];
  // Google's issuer, its keys served by a local issuer so that the signature shows as verified.
  const google = 'https://accounts.google.com';
  let issuer: OidcIssuer;
  let token: string;
  let bigToken: string;

  before(async () => {
    issuer = await OidcIssuer.start();
    const kid = await issuer.addKey('RS256', '6f7254101f56e41cf35c9926de84a2d552b4c6f1');
    const claims = {
      iss: google,
      aud: 'https://my-service-abc123-uc.a.run.app',
      azp: '104583942615803746192',
      email: 'deployer@my-project-123456.iam.gserviceaccount.com',
      email_verified: true,
      sub: '104583942615803746192',
    };
    token = await issuer.sign(claims, { kid, expiresIn: '1h' });
    // About 135 KB encoded: a token carrying a few thousand group ids.
    const groups = Array.from({ length: 5900 }, (_, i) => `group-${String(i).padStart(6, '0')}-x`);
    bigToken = await issuer.sign({ ...claims, groups }, { kid, expiresIn: '1h' });
    assert.ok(bigToken.length > 130_000 && bigToken.length < 140_000, `${bigToken.length}`);
  });

  after(async () => {
    await issuer?.stop();
  });

  for (const { theme, name } of themes) {
    it(`answers what, for whom, until when and trust above the fold, in ${theme}`, async () => {
      const vscode = await launchVsCode({
        viewport: { width: 1440, height: 900 },
        settings: {
          'tokenExplorer.verification.fetchIssuerKeys': true,
          'workbench.colorTheme': theme,
        },
        machineSettings: { 'tokenExplorer.verification.jwksUris': { [google]: issuer.jwksUrl } },
      });
      try {
        // The default layout: side bar open at its default width.
        let frame = await inspect(vscode, token, 'email');
        await frame.locator('#verification[data-status="verified"]').waitFor();
        await assertFirstScreen(vscode, frame);
        // Let fonts, codicons and the first countdown tick settle.
        await vscode.page.waitForTimeout(1000);
        await vscode.screenshot(screenshotPath(`inspector-${name}.png`));

        frame = await inspect(vscode, bigToken, 'groups');
        await frame.locator('#verification[data-status="verified"]').waitFor();
        await assertFirstScreen(vscode, frame);
        const raw = frame.locator('#raw-token');
        const toggle = frame.locator('#raw-toggle');
        assert.match(await toggle.innerText(), /^Show all \(13\d,\d{3} characters\)$/);
        const collapsed = await raw.boundingBox();
        assert.ok(collapsed && collapsed.height < 150, `encoded token ${collapsed?.height} px`);
        assert.ok((await raw.innerText()).length <= 2100, 'only the first lines are drawn');
        await vscode.page.waitForTimeout(500);
        await vscode.screenshot(screenshotPath(`inspector-135kb-${name}.png`));
        await toggle.click();
        assert.equal(await toggle.innerText(), 'Show less');
        assert.equal((await raw.innerText()).replace(/\s/g, '').length, bigToken.length);
      } finally {
        await vscode.close();
      }
    });
  }
});

/**
 * Every button and link in the webview whose accessible name does not hold its visible label
 * (WCAG 2.5.3 "Label in Name"): the name is aria-label when set, else the text; a button with no
 * visible text must have an aria-label.
 */
async function labelsNotInName(frame: FrameLocator): Promise<string[]> {
  return frame.locator('body').evaluate((body) =>
    Array.from(body.querySelectorAll('button, a, [role="button"]'))
      .filter((node) => (node as HTMLElement).offsetParent !== null)
      .flatMap((node) => {
        const visible = ((node as HTMLElement).innerText ?? '').replace(/\s+/g, ' ').trim();
        const label = node.getAttribute('aria-label');
        const name = (label ?? node.textContent ?? '').replace(/\s+/g, ' ').trim();
        const id = node.id || node.className;
        if (visible === '') return name === '' ? [`${id}: no accessible name`] : [];
        return name.toLowerCase().includes(visible.toLowerCase())
          ? []
          : [`${id}: shows "${visible}" but is announced as "${name}"`];
      }),
  );
}

describe('Token Inspector: a key that cannot be read, and names that match labels', function () {
  const google = 'https://accounts.google.com';
  let issuer: OidcIssuer;
  let token: string;
  let vscode: VsCode;

  before(async () => {
    issuer = await OidcIssuer.start();
    const kid = await issuer.addKey('RS256', 'a1b2c3d4e5f60718293a4b5c6d7e8f9001122334');
    token = await issuer.sign(
      { iss: google, aud: 'https://svc-abc123-uc.a.run.app', sub: '1045839426158037461' },
      { kid, expiresIn: '1h' },
    );
    vscode = await launchVsCode({
      settings: { 'tokenExplorer.verification.fetchIssuerKeys': true },
      machineSettings: { 'tokenExplorer.verification.jwksUris': { [google]: issuer.jwksUrl } },
    });
  });

  after(async () => {
    await vscode?.close();
    await issuer?.stop();
  });

  it('says "Key unreadable" for a PEM with no END line, and gets the issuer\'s answer back', async () => {
    const { page } = vscode;
    const frame = await inspect(vscode, token);
    await frame.locator('#verification[data-status="verified"]').waitFor();
    assert.deepEqual(await labelsNotInName(frame), []);

    await page.evaluate(() =>
      navigator.clipboard.writeText(
        '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n',
      ),
    );
    await frame.locator('#verify-key').click();
    await pickRow(page, 'Verify with key', 'Key on the clipboard');
    await frame.locator('#verification[data-status="key-unreadable"]').waitFor();
    const badge = frame.locator('#signature-badge');
    assert.match(await badge.innerText(), /Key unreadable/);
    assert.doesNotMatch(await badge.innerText(), /No matching key/);
    assert.match(await frame.locator('#verification').innerText(), /cannot be read/);
    const back = frame.locator('#verify-issuer');
    assert.equal((await back.innerText()).trim(), "Verify with the issuer's keys");
    // The buttons drawn with the answer are walked too.
    assert.deepEqual(await labelsNotInName(frame), []);
    await vscode.screenshot(screenshotPath('inspector-key-unreadable.png'));

    await back.click();
    await frame.locator('#verification[data-status="verified"]').waitFor();
    assert.match(await badge.innerText(), /Signature verified/);
  });
});

describe('Token Inspector first paint (figures, no timed assertion)', function () {
  // The yardstick: a minimal webview under the same CSP (test/e2e/fixtures/helloWebview).
  const hello = join(__dirname, '..', '..', '..', 'test', 'e2e', 'fixtures', 'helloWebview');
  const rounds = 6;

  it('prints Enter → claims in a new panel and in the open one, against a hello-world webview', async function () {
    this.timeout(rounds * 60_000);
    const vscode = await launchVsCode({ settings, extraExtensions: [hello] });
    const { page } = vscode;
    const frame = webviewFrame(page);
    const newPanel: number[] = [];
    const openPanel: number[] = [];
    const helloWorld: number[] = [];

    /** Enter on a pasted token, then until its `sub` is drawn in the inspector. */
    const enterToken = async (sub: string): Promise<number> => {
      const token = await sign({ iss: 'https://issuer.example', sub, exp: now() + 3600 });
      await vscode.runCommand('Token Explorer: Inspect Token…');
      const input = page.locator('.quick-input-widget input[placeholder^="eyJ"]');
      await input.fill(token);
      const start = performance.now();
      await input.press('Enter');
      await frame
        .locator('#claims-table tr[data-claim="sub"] .claim-value', { hasText: sub })
        .waitFor();
      return performance.now() - start;
    };
    /** Enter on "Hello Webview: Open", then until its text is drawn. */
    const enterHello = async (): Promise<number> => {
      const row = page.locator('.quick-input-list .monaco-list-row', {
        hasText: 'Hello Webview: Open',
      });
      // As runCommand: retried while the extension host is still registering commands.
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('F1');
        await page.locator('.quick-input-widget input').fill('>Hello Webview: Open');
        try {
          await row.waitFor({ timeout: 3000 });
          break;
        } catch (error) {
          await page.keyboard.press('Escape');
          if (attempt === 10) throw error;
        }
      }
      const start = performance.now();
      await page.keyboard.press('Enter');
      await frame.locator('#hello', { hasText: 'Hello, world' }).waitFor();
      return performance.now() - start;
    };
    const closeEditors = async (): Promise<void> => {
      await vscode.runCommand('View: Close All Editors');
      await page.locator('iframe.webview').waitFor({ state: 'detached' });
    };

    try {
      // Nothing on the clipboard for Inspect Token… to offer: the input box opens empty.
      await page.evaluate(() => navigator.clipboard.writeText(''));
      // One unmeasured round warms the extension host, the webview service and the caches.
      await enterHello();
      await closeEditors();
      await enterToken('warm-up');
      await closeEditors();
      for (let round = 0; round < rounds; round++) {
        newPanel.push(await enterToken(`new-panel-${round}`));
        openPanel.push(await enterToken(`open-panel-${round}`));
        await closeEditors();
        helloWorld.push(await enterHello());
        await closeEditors();
      }
    } finally {
      await vscode.close();
    }
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 ? sorted[mid]! : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
    };
    const [a, b, c] = [median(newPanel), median(openPanel), median(helloWorld)];
    const ms = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
    console.log(
      `      first paint, ${rounds} rounds alternating (median; all values ms):\n` +
        `      (a) Enter → claims in a new panel      ${a.toFixed(0)} ms  [${ms(newPanel)}]\n` +
        `      (b) Enter → claims in the open panel   ${b.toFixed(0)} ms  [${ms(openPanel)}]\n` +
        `      (c) Enter → hello-world webview        ${c.toFixed(0)} ms  [${ms(helloWorld)}]\n` +
        `      a/c ${(a / c).toFixed(2)}×   b/c ${(b / c).toFixed(2)}×`,
    );
    assert.equal(newPanel.length + openPanel.length + helloWorld.length, 3 * rounds);
  });
});
