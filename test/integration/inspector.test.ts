import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { OidcIssuer } from '../emulators/oidcIssuer';
import { waitFor } from '../helpers/poll';
import { tokenExplorer } from './helpers/api';

async function openDocument(content: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ content, language: 'plaintext' });
  return vscode.window.showTextDocument(document);
}

describe('Inspect Token', () => {
  let issuer: OidcIssuer;

  before(async () => {
    issuer = await OidcIssuer.start();
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await issuer.stop();
  });

  it('registers every contributed command', async () => {
    await tokenExplorer();
    const commands = await vscode.commands.getCommands(true);
    const extension = vscode.extensions.getExtension('token-explorer.token-explorer');
    const contributed = (extension?.packageJSON.contributes.commands as { command: string }[]).map(
      (c) => c.command,
    );
    assert.ok(contributed.length >= 5);
    for (const id of contributed) assert.ok(commands.includes(id), `${id} is not registered`);
  });

  it('inspects the editor selection, renders it in the webview and verifies it', async () => {
    const api = await tokenExplorer();
    const token = await issuer.sign({ sub: 'from-selection', aud: 'https://svc.example' });
    const editor = await openDocument(
      `curl -H "Authorization: Bearer ${token}" https://svc.example\n`,
    );
    const start = editor.document.getText().indexOf(token);
    editor.selection = new vscode.Selection(
      editor.document.positionAt(start),
      editor.document.positionAt(start + token.length),
    );
    await vscode.commands.executeCommand('tokenExplorer.inspectSelection');
    const rendered = await waitFor('the webview to render the selected token', () => {
      const info = api.inspector.lastRendered();
      return info?.token === token ? info : undefined;
    });
    assert.ok(rendered.claimNames.includes('sub'));
    assert.match(rendered.countdown, /expires in/);
    assert.equal(api.inspector.state()?.inspection.payload?.sub, 'from-selection');
    const verified = await waitFor('verification against the local issuer', () => {
      const v = api.inspector.state()?.verification;
      return v && v.status !== 'pending' ? v : undefined;
    });
    assert.deepEqual(verified, {
      status: 'verified',
      alg: 'RS256',
      kid: 'key-1',
      keyFrom: issuer.jwksUrl,
    });
  });

  it('inspects a token on the clipboard when nothing is selected', async () => {
    const api = await tokenExplorer();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const token = await issuer.sign({ sub: 'from-clipboard' });
    await vscode.env.clipboard.writeText(JSON.stringify({ id_token: token }));
    await vscode.commands.executeCommand('tokenExplorer.inspectJwt');
    const state = await waitFor('the clipboard token to be shown', () => {
      const s = api.inspector.state();
      return s?.inspection.token === token ? s : undefined;
    });
    assert.equal(state.inspection.foundIn, 'JSON field "id_token"');
    await waitFor('the webview to render it', () => api.inspector.lastRendered()?.token === token);
  });

  it('inspects a token passed as the command argument (hover link, other extensions)', async () => {
    const api = await tokenExplorer();
    const token = await issuer.sign({ sub: 'from-argument' });
    await vscode.commands.executeCommand('tokenExplorer.inspectJwt', token);
    await waitFor(
      'the argument token to render',
      () => api.inspector.lastRendered()?.token === token,
    );
  });

  it('shows issuer, audience, subject and expiry on hover, with an Inspect link', async () => {
    await tokenExplorer();
    const token = await issuer.sign({ sub: 'hover-sub', aud: 'https://hover.example' });
    const editor = await openDocument(`{\n  "id_token": "${token}"\n}\n`);
    const position = new vscode.Position(1, 20);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      editor.document.uri,
      position,
    );
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    // Values from the token are code spans (views/untrusted.ts).
    assert.match(text, /Issuer: `http:\/\/127\.0\.0\.1:\d+`/);
    assert.match(text, /Audience: `https:\/\/hover\.example`/);
    assert.match(text, /Subject: `hover-sub`/);
    assert.match(text, /expires(\s|&nbsp;)in(\s|&nbsp;)(59|60)(\s|&nbsp;)min/);
    assert.match(text, /command:tokenExplorer\.inspectJwt\?/);
    const none = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      editor.document.uri,
      new vscode.Position(0, 0),
    );
    assert.ok(
      !none.some((h) => h.contents.some((c) => typeof c !== 'string' && /Issuer/.test(c.value))),
    );
  });

  it('escapes hostile claims in the hover markdown', async () => {
    await tokenExplorer();
    const token = await issuer.sign({ sub: '[click](command:workbench.action.quit) <img src=x>' });
    const editor = await openDocument(token);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      editor.document.uri,
      new vscode.Position(0, 5),
    );
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    // A claim is shown as a literal code span, where markdown makes no link (views/untrusted.ts).
    assert.match(text, /Subject: `\[click\]\(command:workbench\.action\.quit\) <img src=x>`/);
    const outsideCodeSpans = text.replace(/`[^`]*`/g, '');
    assert.doesNotMatch(outsideCodeSpans, /\]\(command:workbench/);
  });

  it('adds an Inspect Token CodeLens only when the setting is on', async () => {
    await tokenExplorer();
    const token = await issuer.sign({ sub: 'lens' });
    const editor = await openDocument(`line one\ntoken=${token}\n`);
    const config = vscode.workspace.getConfiguration('tokenExplorer');
    const lenses = () =>
      vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        editor.document.uri,
      );
    assert.equal(
      (await lenses()).filter((l) => l.command?.title.includes('Inspect Token')).length,
      0,
    );
    await config.update('codeLens.enabled', true, vscode.ConfigurationTarget.Global);
    try {
      const ours = (await lenses()).filter((l) => l.command?.title.includes('Inspect Token'));
      assert.equal(ours.length, 1);
      assert.equal(ours[0]?.range.start.line, 1);
      assert.deepEqual(ours[0]?.command?.arguments, [token]);
    } finally {
      await config.update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('takes a new verification timeout without a reload', async () => {
    const api = await tokenExplorer();
    const config = vscode.workspace.getConfiguration('tokenExplorer');
    /** Inspects a fresh token of the hanging issuer and returns why verification gave up. */
    const reasonOfNextVerification = async (sub: string): Promise<string> => {
      const token = await issuer.sign({ sub });
      await vscode.commands.executeCommand('tokenExplorer.inspectJwt', token);
      const outcome = await waitFor('verification to give up', () => {
        const state = api.inspector.state();
        const v = state?.inspection.token === token ? state.verification : undefined;
        return v && v.status !== 'pending' ? v : undefined;
      });
      assert.equal(outcome.status, 'issuer-unreachable');
      return outcome.status === 'issuer-unreachable' ? outcome.reason : '';
    };
    issuer.fault = 'hang';
    try {
      await config.update('verification.timeoutSeconds', 1, vscode.ConfigurationTarget.Global);
      assert.match(await reasonOfNextVerification('timeout-1'), /within 1 s/);
      await config.update('verification.timeoutSeconds', 2, vscode.ConfigurationTarget.Global);
      assert.match(await reasonOfNextVerification('timeout-2'), /within 2 s/);
    } finally {
      issuer.fault = 'none';
      await config.update(
        'verification.timeoutSeconds',
        undefined,
        vscode.ConfigurationTarget.Global,
      );
    }
  });
});
