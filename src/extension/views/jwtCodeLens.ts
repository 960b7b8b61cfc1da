import * as vscode from 'vscode';
import { findJwts } from '../../core/jwt/find';
import { inspectToken } from '../../core/jwt/inspect';
import type { Settings } from '../adapters/settings';
import { expirySummary } from './jwtHover';
import { CommandId } from '../commands/commandId';

// A log with thousands of tokens should not get thousands of lenses.
const MAX_LENSES = 200;

/** An optional "Inspect Token" lens above each line holding a JWT (setting, off by default). */
export class JwtCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly settings: () => Settings) {}

  /** Re-asks VS Code for lenses, e.g. when the setting changes. */
  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const settings = this.settings();
    if (!settings.codeLensEnabled) return [];
    const now = Date.now();
    const lenses: vscode.CodeLens[] = [];
    for (const found of findJwts(document.getText(), MAX_LENSES)) {
      let title = '$(key) Inspect Token';
      try {
        const inspection = inspectToken(found.token);
        if (!inspection.header) continue;
        if (inspection.kind !== 'jwe') {
          title += ` · ${expirySummary(inspection, now, settings.clockSkewSeconds)}`;
        }
      } catch {
        continue;
      }
      const start = document.positionAt(found.start);
      lenses.push(
        new vscode.CodeLens(new vscode.Range(start, document.positionAt(found.end)), {
          title,
          command: CommandId.InspectJwt,
          arguments: [found.token],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
