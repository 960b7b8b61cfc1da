// "Would this trust accept it?" as a user meets it: a token in the inspector, a trust definition
// on the clipboard or in a file, the verdict and the failing field in the webview.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import { chooseFile, launchVsCode, screenshotPath, webviewFrame } from './harness/vscode';
import type { VsCode } from './harness/vscode';
import { pickRow, quickInput, writeClipboard } from './helpers/workbench';

const settings = { 'tokenExplorer.verification.fetchIssuerKeys': false };
const provider = 'token.actions.githubusercontent.com';
const COMMAND = 'Token Explorer: Would This Trust Accept the Inspected Token?…';

describe('Trust check in VS Code', function () {
  let vscode: VsCode;

  before(async () => {
    vscode = await launchVsCode({ settings });
  });
  after(async () => {
    await vscode?.close();
  });

  it('checks the inspected token against an AWS policy on the clipboard and a Vault role file', async () => {
    const { page } = vscode;
    const now = Math.floor(Date.now() / 1000);
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({
      sub: 'repo:octo-org/octo-repo:environment:prod',
      aud: 'sts.amazonaws.com',
      repository: 'octo-org/octo-repo',
      environment: 'prod',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(`https://${provider}`)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    await writeClipboard(page, '');
    await vscode.runCommand('Token Explorer: Inspect Token…');
    const input = page.locator('.quick-input-widget input[placeholder^="eyJ"]');
    await input.waitFor();
    await input.fill(token);
    await input.press('Enter');
    const frame = webviewFrame(page);
    await frame.locator('#claims-table tr[data-claim="sub"]').waitFor();

    // An AWS role trust policy from the clipboard, through the Command Palette.
    await writeClipboard(
      page,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${provider}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { [`${provider}:aud`]: 'sts.amazonaws.com' },
              StringLike: { [`${provider}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/*' },
            },
          },
        ],
      }),
    );
    await vscode.runCommand(COMMAND);
    await pickRow(await quickInput(page, 'Would this trust accept it?'), /From the clipboard/);
    const rejected = frame.locator('#trust[data-verdict="rejected"]');
    await rejected.waitFor();
    assert.match(
      await rejected.locator('.status-headline').innerText(),
      /Rejected: AWS IAM role trust policy/,
    );
    const failing = await rejected.locator('tr.finding-fail').first().innerText();
    assert.match(failing, /StringLike\["token\.actions\.githubusercontent\.com:sub"\]/);
    assert.match(failing, /repo:octo-org\/octo-repo:ref:refs\/heads\/\*/);
    assert.match(failing, /repo:octo-org\/octo-repo:environment:prod/);
    await frame.locator('#trust-section').scrollIntoViewIfNeeded();
    await vscode.screenshot(screenshotPath('trust-check.png'));

    // A Vault role in a YAML file, through the inspector's button and the file picker.
    const roleFile = join(vscode.workspace, 'vault-role.yaml');
    writeFileSync(
      roleFile,
      'role_type: jwt\nuser_claim: repository\nbound_audiences: [sts.amazonaws.com]\nbound_claims_type: glob\nbound_claims:\n  sub: "repo:octo-org/*"\n',
    );
    await frame.locator('#check-trust').click();
    await pickRow(await quickInput(page, 'Would this trust accept it?'), /From a file/);
    await chooseFile(page, 'Trust definition', roleFile);
    const accepted = frame.locator('#trust[data-verdict="accepted"]');
    await accepted.waitFor();
    assert.match(await accepted.locator('.status-headline').innerText(), /Vault JWT auth role/);

    // Not a trust definition: a clear error in the same place, and the panel keeps working.
    await writeClipboard(page, 'hello: world');
    await vscode.runCommand(COMMAND);
    await pickRow(await quickInput(page, 'Would this trust accept it?'), /From the clipboard/);
    const error = frame.locator('#trust[data-verdict="error"]');
    await error.waitFor();
    assert.match(await error.innerText(), /not a trust definition/);
    assert.equal(await frame.locator('#claims-table tr[data-claim="sub"]').isVisible(), true);
  });
});
