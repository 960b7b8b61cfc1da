import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { checkTrust as check } from '../../core/trust/check';
import type { TrustReport } from '../../core/trust/types';
import { parseYaml } from '../../core/yaml';
import type { InspectorPanel } from '../webview/inspectorPanel';

/** Larger texts are refused: no trust definition is near this size. */
const MAX_DEFINITION_BYTES = 1_000_000;
const CLIPBOARD_TIMEOUT_MS = 5000;

/** Non-interactive form: `executeCommand('tokenExplorer.checkTrust', { definition: text })`. */
interface CheckTrustArgs {
  readonly definition?: unknown;
}

/**
 * "Would this trust accept it?": reads a trust definition (clipboard, file or the active editor,
 * or `definition` when called with arguments), checks the inspected token against it and shows
 * the result in the inspector. Returns the report (undefined when cancelled or on error).
 */
export async function checkTrust(
  inspector: InspectorPanel,
  logger: Logger,
  arg?: unknown,
): Promise<TrustReport | undefined> {
  const state = inspector.current;
  const claims = state?.inspection.payload;
  if (!state || !claims) {
    void vscode.window.showInformationMessage(
      state
        ? 'The inspected token has no readable claims to check.'
        : 'Inspect a token first, then check it against a trust definition.',
    );
    return undefined;
  }
  const token = state.inspection.token;
  const given = (arg as CheckTrustArgs | undefined)?.definition;
  let text: string | undefined;
  try {
    text = typeof given === 'string' ? given : await readDefinition();
  } catch (error) {
    inspector.showTrust({ type: 'trust', token, error: errorMessage(error) });
    return undefined;
  }
  if (text === undefined) return undefined;
  try {
    const report = check(text, { claims, now: Math.floor(Date.now() / 1000) }, parseYaml);
    logger.info(`Trust check (${report.label}): ${report.verdict}`);
    inspector.showTrust({ type: 'trust', token, report });
    return report;
  } catch (error) {
    inspector.showTrust({ type: 'trust', token, error: errorMessage(error) });
    return undefined;
  }
}

/**
 * The clipboard text. In a browser (code-server, vscode.dev) the read can stay pending while a
 * webview has the focus, so it is given a few seconds.
 */
async function readClipboard(): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refused = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            'The clipboard could not be read (the browser did not allow it while the inspector had the focus). Run the command from the Command Palette, or pick a file.',
          ),
        ),
      CLIPBOARD_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([vscode.env.clipboard.readText(), refused]);
  } finally {
    clearTimeout(timer);
  }
}

async function readDefinition(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const items: (vscode.QuickPickItem & { from: 'clipboard' | 'file' | 'editor' })[] = [
    { from: 'clipboard', label: '$(clippy) From the clipboard', detail: 'JSON or YAML you copied' },
    { from: 'file', label: '$(file) From a file…', detail: 'a .json or .yaml file' },
  ];
  if (editor && !editor.document.getText().trim().startsWith('eyJ')) {
    items.push({
      from: 'editor',
      label: '$(edit) From the active editor',
      detail: vscode.workspace.asRelativePath(editor.document.uri),
    });
  }
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Would this trust accept it?',
    placeHolder:
      'An AWS role trust policy, a GCP workload identity provider, an Entra federated credential, a Vault JWT role or a GitHub/GitLab sub template',
  });
  if (!pick) return undefined;
  if (pick.from === 'clipboard') return readClipboard();
  if (pick.from === 'editor') return editor?.document.getText();
  const [uri] =
    (await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Check Trust',
      title: 'Trust definition',
      filters: { 'Trust definitions': ['json', 'yaml', 'yml'], 'All files': ['*'] },
    })) ?? [];
  if (!uri) return undefined;
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_DEFINITION_BYTES) {
    throw new Error(`${uri.fsPath} is ${stat.size} bytes: too large for a trust definition.`);
  }
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}
