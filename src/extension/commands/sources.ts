import * as vscode from 'vscode';
import type { ClipboardGuard } from '../../core/clipboard/clearAfter';
import { errorMessage } from '../../core/errors';
import { inspectToken } from '../../core/jwt/inspect';
import { findInsertionPoint, idTokensBlock, listJobs } from '../../core/providers/gitlab/ciYaml';
import type { Logger } from '../../core/ports';
import type { ImportedTokens } from '../importedTokens';
import type { LocalIssuerController } from '../localIssuerController';
import { showAccountlessError } from '../remedies';
import type { SourceNode } from '../views/sourcesTree';
import type { InspectorPanel } from '../webview/inspectorPanel';

export interface SourceCommandDeps {
  readonly imported: ImportedTokens;
  readonly localIssuer: LocalIssuerController;
  readonly inspector: InspectorPanel;
  readonly parseYaml: (text: string) => unknown;
  readonly clipboard: ClipboardGuard;
  readonly logger: Logger;
}

/** A failure with the remedies it carries (e.g. the local issuer's port setting). */
function failWith(deps: SourceCommandDeps): (error: unknown) => void {
  return (error) => void showAccountlessError(deps.logger, error);
}

function importedFrom(deps: SourceCommandDeps, arg: unknown) {
  const node = arg as Partial<Extract<SourceNode, { type: 'imported' }>> | undefined;
  return node?.importedId ? deps.imported.get(node.importedId) : undefined;
}

/**
 * "Import Token": a pasted token (e.g. a GitLab CI job's `$ID_TOKEN`) goes into the tree, for
 * this session unless the user keeps it (SecretStorage), and opens in the inspector, which
 * verifies it against its issuer's keys (gitlab.com or a self-managed instance, by discovery).
 */
export async function importToken(deps: SourceCommandDeps): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: 'Import token',
    prompt:
      "Paste an ID token (e.g. a GitLab CI job's $ID_TOKEN); it is kept for this session only unless you choose otherwise",
    placeHolder: 'eyJhbGciOiJSUzI1NiIs…',
    ignoreFocusOut: true,
    validateInput: (text) => {
      if (text.trim() === '') return undefined;
      try {
        const inspection = inspectToken(text);
        return inspection.problems[0]?.message;
      } catch (error) {
        return errorMessage(error);
      }
    },
  });
  if (!value?.trim()) return;
  const inspection = inspectToken(value);
  const keep = await vscode.window.showQuickPick(
    [
      {
        label: '$(clock) For this session',
        description: 'forgotten when VS Code closes',
        persist: false,
      },
      {
        label: '$(pinned) Across restarts',
        description: 'kept in VS Code SecretStorage',
        persist: true,
      },
    ],
    { title: 'Keep the imported token', ignoreFocusOut: true },
  );
  if (!keep) return;
  try {
    await deps.imported.add(inspection.token, keep.persist);
    await deps.inspector.show(inspection);
  } catch (error) {
    failWith(deps)(error);
  }
}

export async function inspectImported(deps: SourceCommandDeps, arg: unknown): Promise<void> {
  const entry = importedFrom(deps, arg);
  if (entry) await deps.inspector.show(inspectToken(entry.token), 'imported tokens');
}

export async function copyImportedBearer(deps: SourceCommandDeps, arg: unknown): Promise<void> {
  const entry = importedFrom(deps, arg);
  if (!entry) return;
  await deps.clipboard.copySecret(`Authorization: Bearer ${entry.token}`);
  vscode.window.setStatusBarMessage('$(check) Authorization header copied', 4000);
}

export async function removeImported(deps: SourceCommandDeps, arg: unknown): Promise<void> {
  const entry = importedFrom(deps, arg);
  if (entry) await deps.imported.remove(entry.id).catch(failWith(deps));
}

export async function startLocalIssuer(deps: SourceCommandDeps): Promise<string | undefined> {
  try {
    const url = await deps.localIssuer.start();
    void vscode.window
      .showInformationMessage(
        `Local issuer running at ${url}`,
        'Mint Test Token',
        'Copy Local Issuer URL',
      )
      .then((choice) => {
        if (choice === 'Mint Test Token') void mintTestToken(deps);
        if (choice === 'Copy Local Issuer URL') void vscode.env.clipboard.writeText(url);
      });
    return url;
  } catch (error) {
    failWith(deps)(error);
    return undefined;
  }
}

export async function stopLocalIssuer(deps: SourceCommandDeps): Promise<void> {
  await deps.localIssuer.stop().catch(failWith(deps));
}

export async function copyLocalIssuerUrl(deps: SourceCommandDeps): Promise<void> {
  const url = deps.localIssuer.running()?.url;
  if (!url) return;
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage('$(check) Issuer URL copied', 4000);
}

/** Mints from the template, copies the token and opens it in the inspector (which verifies it). */
export async function mintTestToken(deps: SourceCommandDeps): Promise<string | undefined> {
  try {
    const token = await deps.localIssuer.mintFromTemplate();
    await deps.clipboard.copySecret(token);
    await deps.inspector.show(inspectToken(token), 'the local issuer');
    vscode.window.setStatusBarMessage('$(check) Test token copied', 4000);
    return token;
  } catch (error) {
    // A port taken carries its setting; a template that does not mint is fixed in the template.
    void showAccountlessError(deps.logger, error, {
      fallback: [{ label: 'Edit Test Token Template', run: () => editTestTokenTemplate(deps) }],
    });
    return undefined;
  }
}

export async function editTestTokenTemplate(deps: SourceCommandDeps): Promise<void> {
  const uri = await deps.localIssuer.templateUri();
  await vscode.window.showTextDocument(uri);
}

async function pipelineFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.path.endsWith('/.gitlab-ci.yml')) return active;
  const [found] = await vscode.workspace.findFiles('.gitlab-ci.yml', '**/node_modules/**', 1);
  if (!found) void vscode.window.showInformationMessage('No .gitlab-ci.yml in this workspace.');
  return found;
}

/** "Insert GitLab id_tokens Block": asks for job, variable and audience, then edits the file. */
export async function insertIdTokens(deps: SourceCommandDeps, arg?: unknown): Promise<void> {
  const node = arg as Partial<Extract<SourceNode, { type: 'ciJob' }>> | undefined;
  const uri = node?.uri ?? (await pipelineFile(arg));
  if (!uri) return;
  const document = await vscode.workspace.openTextDocument(uri);
  let jobs: string[];
  try {
    jobs = listJobs(document.getText(), deps.parseYaml);
  } catch (error) {
    failWith(deps)(error);
    return;
  }
  const job =
    node?.job ??
    (await vscode.window.showQuickPick(jobs, {
      title: 'Insert id_tokens: which job?',
      placeHolder: jobs.length ? undefined : 'No jobs found',
    }));
  if (!job) return;
  const variable = await vscode.window.showInputBox({
    title: 'Insert id_tokens: variable name',
    value: 'ID_TOKEN_1',
    validateInput: (v) =>
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? undefined : 'Letters, digits and _ only',
  });
  if (!variable) return;
  const aud = await vscode.window.showInputBox({
    title: 'Insert id_tokens: audience (aud)',
    placeHolder: 'https://vault.example.com',
    validateInput: (v) => (v.trim() ? undefined : 'The audience the receiving service expects'),
  });
  if (!aud) return;
  const point = findInsertionPoint(document.getText(), job);
  if (!point) {
    failWith(deps)(
      new Error(
        `Could not find where job "${job}" starts in ${vscode.workspace.asRelativePath(uri)}.`,
      ),
    );
    return;
  }
  // When the job already has id_tokens:, only the new entry goes under it.
  const block = idTokensBlock(variable, aud.trim(), point.unit, { entryOnly: point.entryOnly })
    .split('\n')
    .map((line) => (line ? `${point.indent}${line}` : line))
    .join('\n');
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(point.line, 0), `${block.replace(/\n?$/, '\n')}`);
  await vscode.workspace.applyEdit(edit);
  const editor = await vscode.window.showTextDocument(document);
  editor.revealRange(new vscode.Range(point.line, 0, point.line + 3, 0));
}
