import * as vscode from 'vscode';
import { TokenExplorerError, errorMessage } from '../../core/errors';
import { inspectToken } from '../../core/jwt/inspect';
import type { Inspection } from '../../core/jwt/types';
import { inert } from '../views/untrusted';
import type { InspectorPanel } from '../webview/inspectorPanel';

/** Inspects text if it holds a token; undefined otherwise (the caller tries the next source). */
function tryInspect(text: string | undefined): Inspection | undefined {
  if (!text || text.length > 1_000_000) return undefined;
  try {
    const inspection = inspectToken(text);
    return inspection.problems.some((p) => p.code === 'segment-count') ? undefined : inspection;
  } catch {
    return undefined;
  }
}

async function readClipboard(): Promise<string | undefined> {
  try {
    return await vscode.env.clipboard.readText();
  } catch {
    // A browser host may refuse clipboard reads; the input box is the fallback.
    return undefined;
  }
}

/**
 * Validation shown under the input box as the user types or pastes. VS Code renders links in it,
 * so every message goes through `inert` (the token's text is data, never a link or command).
 */
function describe(value: string): vscode.InputBoxValidationMessage | undefined {
  const message = describeToken(value);
  return message && { ...message, message: inert(message.message) };
}

function describeToken(value: string): vscode.InputBoxValidationMessage | undefined {
  if (value.trim() === '') return undefined;
  let inspection: Inspection;
  try {
    inspection = inspectToken(value);
  } catch (error) {
    return { message: errorMessage(error), severity: vscode.InputBoxValidationSeverity.Error };
  }
  const [problem] = inspection.problems;
  if (problem) {
    return {
      message: `${problem.message} Press Enter to inspect what does decode.`,
      severity: vscode.InputBoxValidationSeverity.Warning,
    };
  }
  const kind = inspection.kind === 'jwe' ? 'Encrypted JWT (JWE)' : (inspection.alg ?? 'JWT');
  const issuer = inspection.issuer ? ` from ${inspection.issuer}` : '';
  return {
    message: `${kind}${issuer}, found in the ${inspection.foundIn}${inspection.repairs ? ` (${inspection.repairs.join('; ')})` : ''}. Press Enter to inspect.`,
    severity: vscode.InputBoxValidationSeverity.Info,
  };
}

const PASTE_PROMPT =
  'Paste a JWT, an "Authorization: Bearer …" header, a token response (JSON) or a URL with id_token=';

async function askForToken(
  offer: { readonly value?: string; readonly prompt?: string; readonly password?: boolean } = {},
): Promise<Inspection | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Inspect Token',
    prompt: offer.prompt ?? PASTE_PROMPT,
    placeHolder: 'eyJhbGciOiJSUzI1NiIs…',
    ignoreFocusOut: true,
    validateInput: describe,
    ...(offer.value !== undefined ? { value: offer.value } : {}),
    ...(offer.password ? { password: true } : {}),
  });
  if (value === undefined || value.trim() === '') return undefined;
  try {
    return inspectToken(value);
  } catch (error) {
    void vscode.window.showErrorMessage(inert(errorMessage(error)));
    return undefined;
  }
}

/**
 * "Inspect another" from the inspector: always asks. A token on the clipboard is offered in the
 * box (Enter inspects it) unless it is the one already shown, which is never silently shown
 * again; in masked mode the box hides what it holds.
 */
async function askForAnother(panel: InspectorPanel): Promise<Inspection | undefined> {
  const shown = panel.current;
  const clipboard = await readClipboard();
  const offered = tryInspect(clipboard);
  const password = shown?.masked === true;
  if (!offered || clipboard === undefined) return askForToken({ password });
  if (offered.token === shown?.inspection.token) {
    return askForToken({
      password,
      prompt: `The clipboard holds the token already shown. ${PASTE_PROMPT}`,
    });
  }
  return askForToken({
    password,
    value: clipboard.trim(),
    prompt: 'The token on the clipboard is filled in: press Enter to inspect it, or paste another.',
  });
}

/** The argument of "Inspect another": ask, never take the clipboard or selection silently. */
function asksAnother(argument: unknown): boolean {
  return typeof argument === 'object' && argument !== null && 'another' in argument;
}

/**
 * "Inspect Token": a token given as argument (hover link, other extensions), else the editor
 * selection if it holds one, else the clipboard if it holds one, else an input box. With
 * `{ another: true }` (the inspector's "Inspect another") it always asks.
 */
export async function inspectJwt(panel: InspectorPanel, argument?: unknown): Promise<void> {
  if (asksAnother(argument)) {
    const inspection = await askForAnother(panel);
    if (inspection) await panel.show(inspection);
    return;
  }
  if (typeof argument === 'string') {
    try {
      await panel.show(inspectToken(argument));
    } catch (error) {
      void vscode.window.showErrorMessage(inert(errorMessage(error)));
    }
    return;
  }
  const editor = vscode.window.activeTextEditor;
  const selected =
    editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
  const inspection =
    tryInspect(selected) ?? tryInspect(await readClipboard()) ?? (await askForToken());
  if (inspection) await panel.show(inspection);
}

/** "Inspect Selected Token" from the editor context menu: the selection or a clear error. */
export async function inspectSelection(panel: InspectorPanel): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) {
    void vscode.window.showInformationMessage(
      'Select a JWT in the editor first, or run "Inspect Token…" to paste one.',
    );
    return;
  }
  try {
    await panel.show(inspectToken(editor.document.getText(editor.selection)));
  } catch (error) {
    const message =
      error instanceof TokenExplorerError
        ? `The selection holds no JWT. ${error.message}`
        : errorMessage(error);
    void vscode.window.showErrorMessage(inert(message));
  }
}
