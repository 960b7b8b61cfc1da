// The service-accounts side of Token Explorer as a user meets it, in real VS Code against local
// emulators: the Add Account wizard, Get ID Token, the tree's inline and context actions, the
// inspector, removal, and what the run leaves on disk.
import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import type { Locator, Page } from 'playwright-core';
import type { FakeGcloud } from '../emulators/gcloud/fakeGcloud';
import { GoogleApis } from '../emulators/google/googleApis';
import type { EmulatedServiceAccount } from '../emulators/google/googleApis';
import { MetadataServer } from '../emulators/google/metadataServer';
import { startJwksServer } from '../emulators/jwksServer';
import { GCLOUD_EMAIL, GCLOUD_PROJECT, signedInGcloud } from '../fixtures/fakeClis';
import { eventually } from '../helpers/poll';
import {
  audienceRow,
  chooseFile,
  contextMenu,
  inlineAction,
  launchVsCode,
  pickRow,
  quickInputBox,
  screenshotPath,
  showViewContainer,
  treeRow,
  treeRows,
  viewPane,
  widenSideBar,
  waitForNotification,
  webviewFrame,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';

const KEY_EMAIL = 'deployer@my-project-123456.iam.gserviceaccount.com';
const KEY_AUDIENCE = 'https://orders-abc123-uc.a.run.app';
const VM_AUDIENCE = 'https://inventory-abc123-uc.a.run.app';
const PALETTE_AUDIENCE = 'https://billing-abc123-uc.a.run.app';
const GCLOUD_AUDIENCE = 'https://reports-abc123-uc.a.run.app';
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

async function verify(token: string, jwks: { keys: JWK[] }, audience: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: 'https://accounts.google.com',
    audience,
  });
  return payload;
}

/**
 * Expands a tree row. An account that had no token when the tree first showed it stays collapsed
 * after its first mint (VS Code keeps the state it first saw for an id), so the user, and this
 * test, open it by hand to see its audiences.
 */
async function expand(row: Locator): Promise<void> {
  const state = () => row.getAttribute('aria-expanded');
  await eventually('the row to get children', state, (v) => v !== null);
  // A click while the tree redraws the row can get lost: click until it takes.
  for (let attempt = 1; (await state()) === 'false'; attempt++) {
    if (attempt > 5) assert.fail('the row does not expand');
    await row.locator('.monaco-tl-twistie').click();
    await eventually('the row to expand', state, (v) => v === 'true', 2000).catch(() => undefined);
  }
}

/**
 * The page's localStorage and IndexedDB as text. In code-server the extension's global state
 * lives in IndexedDB and SecretStorage in localStorage ("secrets.provider", AES-GCM encrypted).
 */
function browserStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const text = (value: unknown): string =>
      value instanceof Uint8Array || value instanceof ArrayBuffer
        ? new TextDecoder().decode(value)
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
      });
    const parts = [JSON.stringify({ ...localStorage })];
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await request(indexedDB.open(name));
      for (const store of Array.from(db.objectStoreNames)) {
        const objects = db.transaction(store).objectStore(store);
        const [keys, values] = await Promise.all([
          request(objects.getAllKeys()),
          request(objects.getAll()),
        ]);
        parts.push(...keys.map(text), ...values.map(text));
      }
      db.close();
    }
    return parts.join('\n');
  });
}

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('Service accounts in VS Code', function () {
  let apis: GoogleApis;
  let metadata: MetadataServer;
  let gcloud: FakeGcloud;
  let serviceAccount: EmulatedServiceAccount;
  let workspace: string;
  let keyPath: string;
  let keysServer: { url: string; stop(): Promise<void> } | undefined;
  let vscode: VsCode;
  let page: Page;
  let tree: Locator;
  /** Every token the UI put on the clipboard; none may show up on disk or in the console. */
  const minted: string[] = [];

  before(async function () {
    apis = await GoogleApis.start();
    metadata = await MetadataServer.start({ projectId: GCLOUD_PROJECT });
    gcloud = await signedInGcloud();
    serviceAccount = await apis.addServiceAccount({ email: KEY_EMAIL, withKey: true });
    // All three emulators sign as https://accounts.google.com, each with its own key: one key
    // set holding all of them lets the inspector verify whatever the accounts mint.
    keysServer = await startJwksServer(() => [
      ...apis.jwks().keys,
      ...metadata.jwks().keys,
      ...gcloud.jwks.keys,
    ]);
    const jwksUrl = keysServer.url;
    workspace = mkdtempSync(join(tmpdir(), 'token-explorer-accounts-'));
    mkdirSync(join(workspace, 'keys'));
    keyPath = join(workspace, 'keys', 'deployer-key.json');
    writeFileSync(keyPath, serviceAccount.keyFile);
    vscode = await launchVsCode({
      workspace,
      settings: {
        'workbench.colorTheme': 'Default Dark Modern',
        'tokenExplorer.verification.fetchIssuerKeys': true,
      },
      // Machine-scoped: code-server reads them from the remote settings only. Never the real
      // /usr/bin/gcloud of this machine: the fake.
      machineSettings: {
        'tokenExplorer.gcloud.path': gcloud.path,
        'tokenExplorer.verification.jwksUris': { 'https://accounts.google.com': jwksUrl },
        'tokenExplorer.accounts': [
          {
            id: 'vm',
            kind: 'google-metadata',
            name: 'runner (metadata server)',
            defaultAudience: VM_AUDIENCE,
            settings: { serviceAccount: 'default', format: 'full', endpoint: metadata.url },
          },
          {
            id: 'ci',
            kind: 'google-gcloud',
            name: `gcloud: ${GCLOUD_EMAIL}`,
            defaultAudience: GCLOUD_AUDIENCE,
            settings: {},
          },
        ],
      },
    });
    page = vscode.page;
    tree = viewPane(page, 'Service Accounts');
  });

  const clearClipboard = (p: Page) => p.evaluate(() => navigator.clipboard.writeText(''));
  /** Waits for a JWT on the clipboard, keeps it for the leak check and returns it. */
  const clipboardJwt = async (): Promise<string> => {
    const token = await eventually(
      'a JWT on the clipboard',
      () => vscode.readClipboard(),
      (text) => JWT.test(text),
    );
    minted.push(token);
    return token;
  };
  const frameVerified = () =>
    webviewFrame(page).locator('#verification[data-status="verified"]').waitFor();
  const machineSettingsPath = (): string => join(vscode.runDir, 'data', 'Machine', 'settings.json');
  const machineSettings = (): Record<string, unknown> =>
    JSON.parse(readFileSync(machineSettingsPath(), 'utf8')) as Record<string, unknown>;

  after(async function () {
    await vscode?.close();
    await Promise.all([apis?.stop(), metadata?.stop(), gcloud?.cleanup(), keysServer?.stop()]);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !vscode) return;
    const path = screenshotPath(`accounts-failure-${Date.now()}.png`);
    await vscode.screenshot(path).catch(() => undefined);
    console.error(`    screenshot of the failure: ${path}`);
  });

  it('adds a service-account key account through the wizard', async function () {
    await vscode.runCommand('Token Explorer: Add Account…');
    await pickRow(page, 'Add account: how should tokens be minted?', 'Service-account key file');
    await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Import Key' }).click();
    await chooseFile(page, 'Choose a service-account key (JSON)', keyPath);
    const audience = await quickInputBox(page, 'Add account: default audience');
    await audience.fill(KEY_AUDIENCE);
    await audience.press('Enter');
    const name = await quickInputBox(page, 'Add account: name in the tree');
    assert.equal(await name.inputValue(), KEY_EMAIL);
    await name.press('Enter');
    const added = await waitForNotification(page, `Added ${KEY_EMAIL}.`);
    // Its "Get ID Token" is a click, as on the account's row: the token is copied and said so.
    await clearClipboard(page);
    await added.getByRole('button', { name: 'Get ID Token' }).click();
    await waitForNotification(page, `ID token for ${KEY_EMAIL} copied (`);
    assert.equal((await verify(await clipboardJwt(), apis.jwks(), KEY_AUDIENCE)).email, KEY_EMAIL);

    // The test mint went to the emulator's token endpoint with the imported key.
    assert.ok(
      apis.requests.some((r) => r.route === 'token' && r.grantType?.endsWith('jwt-bearer')),
    );
    await showViewContainer(page, 'Token Explorer');
    const rows = await eventually(
      'the tree',
      () => treeRows(tree),
      (r) => r.length >= 5,
    );
    // Audience rows: the countdown first, then the audience (without "https://").
    assert.deepEqual(
      rows.map((r) => [r.level, r.level === 3 ? r.description : r.label]),
      [
        [1, 'Google Cloud'],
        [2, 'runner (metadata server)'],
        [2, `gcloud: ${GCLOUD_EMAIL}`],
        [2, KEY_EMAIL],
        [3, KEY_AUDIENCE.replace('https://', '')],
      ],
    );
    assert.match(rows[4]?.label ?? '', /^expires in (\d+ min|1 h)$/);
    const saved = machineSettings()['tokenExplorer.accounts'] as Record<string, unknown>[];
    const entry = saved.find((a) => a.kind === 'google-service-account-key');
    assert.deepEqual(entry, {
      id: 'deployer',
      kind: 'google-service-account-key',
      name: KEY_EMAIL,
      defaultAudience: KEY_AUDIENCE,
      settings: {
        clientEmail: KEY_EMAIL,
        privateKeyId: serviceAccount.keyId,
        projectId: 'my-project-123456',
        tokenUri: apis.tokenUrl,
      },
    });
  });

  it('Get ID Token from the palette copies a verifiable token for the typed audience', async function () {
    await clearClipboard(page);
    await vscode.runCommand('Token Explorer: Get ID Token');
    await pickRow(page, 'Get ID token', 'runner (metadata server)');
    const audience = await quickInputBox(page, 'Audience for runner (metadata server)');
    await audience.fill(PALETTE_AUDIENCE);
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'use this audience' })
      .waitFor();
    await audience.press('Enter');
    await waitForNotification(page, 'ID token for runner (metadata server) copied (new');
    await expand(treeRow(tree, 'runner (metadata server)'));

    const token = await clipboardJwt();
    const claims = await verify(token, metadata.jwks(), PALETTE_AUDIENCE);
    assert.equal(claims.email, 'runner@my-project-123456.iam.gserviceaccount.com');
    const google = claims.google as { compute_engine?: { project_id?: string } } | undefined;
    assert.equal(google?.compute_engine?.project_id, 'my-project-123456');
    assert.ok(
      metadata.requests.some(
        (r) => r.path.endsWith('/identity') && r.query.audience === PALETTE_AUDIENCE,
      ),
    );
    const row = audienceRow(tree, PALETTE_AUDIENCE);
    assert.match(await row.locator('.label-name').innerText(), /^expires in (\d+ min|1 h)$/);
  });

  it('Copy Bearer Header on an account row copies "Authorization: Bearer <jwt>"', async function () {
    await clearClipboard(page);
    await inlineAction(treeRow(tree, KEY_EMAIL), 'Copy Bearer Header');
    const text = await eventually('the clipboard', () => vscode.readClipboard(), Boolean);
    const match = /^Authorization: Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(text);
    assert.ok(match?.[1], `the clipboard holds ${JSON.stringify(text.slice(0, 40))}…`);
    minted.push(match[1]);
    const claims = await verify(match[1], apis.jwks(), KEY_AUDIENCE);
    assert.equal(claims.email, KEY_EMAIL);
    assert.equal(claims.sub, serviceAccount.uniqueId);
  });

  it('counts a token down in the tree, second by second under ten minutes', async function () {
    // gcloud prints tokens issued 50.5 min ago: 9.5 min to live, so seconds are shown.
    await gcloud.update({ now: Math.floor(Date.now() / 1000) - 3600 + 570 });
    await clearClipboard(page);
    await inlineAction(treeRow(tree, `gcloud: ${GCLOUD_EMAIL}`), 'Get ID Token');
    // "(new" on the first try; a retry of this test finds the token cached. That gcloud minted it
    // is checked below from the fake's own record of calls.
    await waitForNotification(page, `ID token for gcloud: ${GCLOUD_EMAIL} copied (`);
    await expand(treeRow(tree, `gcloud: ${GCLOUD_EMAIL}`));
    const token = await clipboardJwt();
    const claims = await verify(token, gcloud.jwks, GCLOUD_AUDIENCE);
    assert.equal(claims.email, GCLOUD_EMAIL);
    assert.ok(
      (await gcloud.calls()).some(
        (args) =>
          args.includes('print-identity-token') && args.includes(`--audiences=${GCLOUD_AUDIENCE}`),
      ),
      'the fake gcloud printed the token',
    );

    const description = audienceRow(tree, GCLOUD_AUDIENCE).locator('.label-name');
    const seconds = async (): Promise<number> => {
      const text = await description.innerText();
      const parts = /^expires in (\d+) min(?: (\d+) s)?$/.exec(text);
      assert.ok(parts, `the audience row says "${text}"`);
      return Number(parts[1]) * 60 + Number(parts[2] ?? 0);
    };
    const first = await seconds();
    assert.ok(first > 8 * 60 && first <= 570, `${first} s left`);
    const later = await eventually('the countdown', seconds, (left) => left !== first, 2500);
    assert.ok(later < first, `went from ${first} s to ${later} s`);
  });

  it('shows every countdown at the default side bar width (300 px), long audiences and all', async function () {
    await page.keyboard.press('Escape');
    await widenSideBar(page, 300);
    const sideBar = await page.locator('.part.sidebar').boundingBox();
    assert.ok(sideBar && Math.abs(sideBar.width - 300) <= 2, `side bar ${sideBar?.width} px`);
    // Rows are drawn, not just present: the countdown's own box lies inside its row's visible box.
    for (const audience of [KEY_AUDIENCE, PALETTE_AUDIENCE, GCLOUD_AUDIENCE]) {
      const row = audienceRow(tree, audience);
      const countdown = row.locator('.label-name');
      assert.match(await countdown.innerText(), /^expires in \d+ (min|h)/, audience);
      const rowBox = await row.boundingBox();
      const box = await countdown.boundingBox();
      assert.ok(rowBox && box, `${audience}: not drawn`);
      const right = Math.min(rowBox.x + rowBox.width, sideBar.x + sideBar.width);
      assert.ok(
        box.x >= rowBox.x && box.x + box.width <= right && box.width > 60,
        `${audience}: countdown at ${JSON.stringify(box)}, row ${JSON.stringify(rowBox)}`,
      );
      // The audience is cut, not the countdown; the whole of it is in the tooltip.
      const { scrollWidth, clientWidth } = await countdown.evaluate((node) => ({
        scrollWidth: node.scrollWidth,
        clientWidth: node.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth + 1, `${audience}: countdown text cut`);
    }
    // Account rows: long names cut their description; the badge at the row's end keeps the
    // minutes left (a FileDecoration, drawn by VS Code after the label).
    for (const account of ['runner (metadata server)', `gcloud: ${GCLOUD_EMAIL}`, KEY_EMAIL]) {
      const row = treeRow(tree, account);
      const content = await row
        .locator('.monaco-icon-label')
        .first()
        .evaluate((node) => getComputedStyle(node, '::after').content);
      assert.match(content, /^"(\d{1,2}|<1|\dh)"$/, `${account}: badge ${content}`);
      const labelBox = await row.locator('.monaco-icon-label').first().boundingBox();
      const rowBox = await row.boundingBox();
      assert.ok(labelBox && rowBox, `${account}: not drawn`);
      assert.ok(
        labelBox.x + labelBox.width <=
          Math.min(rowBox.x + rowBox.width, sideBar.x + sideBar.width) + 1,
        `${account}: the label (with its badge at the end) runs past the row`,
      );
    }
    await page.mouse.move(1000, 300);
    await page.waitForTimeout(500);
    await vscode.screenshot(screenshotPath('accounts-tree-300px.png'));
  });

  it('Copy Audience copies the whole audience of a row that shows it shortened', async function () {
    await clearClipboard(page);
    await contextMenu(audienceRow(tree, KEY_AUDIENCE), 'Copy Audience');
    assert.equal(
      await eventually(
        'the clipboard',
        () => vscode.readClipboard(),
        (text) => text !== '',
      ),
      KEY_AUDIENCE,
    );
  });

  it('Inspect on an audience row opens the inspector with the minted claims', async function () {
    await inlineAction(audienceRow(tree, KEY_AUDIENCE), 'Inspect ID Token');
    await page.locator('.tab', { hasText: 'Token Inspector' }).waitFor();
    const frame = webviewFrame(page);
    const claim = (name: string) =>
      frame.locator(`#claims-table tr[data-claim="${name}"] .claim-value`);
    await claim('aud').waitFor();
    assert.equal(await claim('aud').innerText(), KEY_AUDIENCE);
    assert.equal(await claim('email').innerText(), KEY_EMAIL);
    assert.equal(await claim('sub').innerText(), serviceAccount.uniqueId);
    // Checked against the emulator's public key, served as Google's key set.
    await frameVerified();
    assert.match(
      await frame.locator('#verification').innerText(),
      new RegExp(`Signature verified[^]*${String(apis.jwks().keys[0]?.kid)}`),
    );
  });

  it('takes the screenshot of the accounts tree', async function () {
    await page.keyboard.press('Escape');
    await widenSideBar(page, 640);
    // The short-lived token in the inspector: it counts seconds down, as its row does.
    await inlineAction(
      audienceRow(tree, GCLOUD_AUDIENCE),
      'Inspect ID Token',
      webviewFrame(page).locator('#claims-table tr[data-claim="aud"] .claim-value', {
        hasText: GCLOUD_AUDIENCE,
      }),
    );
    await frameVerified();
    // The tree's focused row shows its inline actions over its countdown: focus the group row.
    await tree.locator('.monaco-list').first().focus();
    await page.keyboard.press('Home');
    await page.locator('.tab', { hasText: 'Token Inspector' }).click();
    await clearClipboard(page);
    await inlineAction(treeRow(tree, 'runner (metadata server)'), 'Get ID Token');
    await waitForNotification(page, 'ID token for runner (metadata server) copied');
    await clipboardJwt();
    await page.mouse.move(1000, 300);
    await page.waitForTimeout(800);
    await vscode.screenshot(screenshotPath('accounts-tree.png'));
  });

  it('removing an account removes its stored key', async function () {
    const saved = () => (machineSettings()['tokenExplorer.accounts'] ?? []) as { id: string }[];
    const entry = saved().find((a) => a.id === 'deployer');
    assert.ok(entry, 'the key account is in the settings');
    const row = treeRow(tree, KEY_EMAIL);
    await contextMenu(row, 'Remove Account');
    const dialog = page.locator('.monaco-dialog-box');
    assert.match(await dialog.innerText(), /Remove deployer@.*stored key/s);
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual(
      saved().map((a) => a.id),
      ['vm', 'ci'],
    );

    // The same account written back by hand has no key any more: it cannot mint.
    const settings = machineSettings();
    writeFileSync(
      machineSettingsPath(),
      JSON.stringify({ ...settings, 'tokenExplorer.accounts': [...saved(), entry] }, null, 2),
    );
    await row.waitFor();
    const grants = () => apis.requests.filter((r) => r.grantType?.endsWith('jwt-bearer')).length;
    const grantsBefore = grants();
    await inlineAction(row, 'Get ID Token');
    await waitForNotification(
      page,
      `The service-account key of "${KEY_EMAIL}" is not in the secret storage`,
    );
    assert.equal(grants(), grantsBefore, 'no assertion was signed without a key');
  });

  it('leaves no token and no key material in settings, logs, storage or the console', async function () {
    assert.ok(minted.length >= 4, `${minted.length} tokens collected`);
    const pem = (JSON.parse(serviceAccount.keyFile) as { private_key: string }).private_key;
    const keyLines = pem
      .split('\n')
      .filter((line) => line.length > 16 && !line.startsWith('-----'));
    const secrets = [
      ...minted.flatMap((token, i) => [
        { what: `token ${i + 1}`, text: token },
        { what: `signature of token ${i + 1}`, text: token.split('.')[2] ?? token },
      ]),
      ...keyLines.map((text, i) => ({ what: `line ${i + 1} of the private key`, text })),
    ];
    const files = filesUnder(vscode.runDir);
    const log = files.find((f) => f.endsWith('Token Explorer.log'));
    assert.ok(log, 'the Token Explorer log is in the run dir');
    assert.match(readFileSync(log, 'utf8'), /Added account "deployer"/);
    assert.ok(files.some((f) => f.endsWith(join('Machine', 'settings.json'))));

    const leaks: string[] = [];
    for (const file of files) {
      const content = readFileSync(file).toString('latin1');
      for (const { what, text } of secrets) {
        if (content.includes(text)) leaks.push(`${what} in ${relative(vscode.runDir, file)}`);
      }
    }
    const consoleText = vscode.consoleMessages.join('\n');
    const storage = await browserStorage(page);
    assert.ok(storage.includes('keyWarningShown'), "the extension's global state was read");
    for (const { what, text } of secrets) {
      if (consoleText.includes(text)) leaks.push(`${what} in the browser console`);
      if (storage.includes(text)) leaks.push(`${what} in the browser's storage, in clear`);
    }
    assert.deepEqual(leaks, [], `scanned ${files.length} files`);
  });
});
