import * as vscode from 'vscode';
import { jwtAt } from '../../core/jwt/find';
import { inspectToken } from '../../core/jwt/inspect';
import { formatRelative, timeStatus } from '../../core/jwt/time';
import type { Inspection } from '../../core/jwt/types';
import type { Settings } from '../adapters/settings';
import { CommandId } from '../commands/commandId';

const MAX_VALUE = 160;

/** A command URI that opens the inspector on this token. */
export function inspectCommandUri(token: string): vscode.Uri {
  return vscode.Uri.parse(
    `command:${CommandId.InspectJwt}?${encodeURIComponent(JSON.stringify([token]))}`,
  );
}

function shorten(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** One line "expires in 41 min" / "expired 3 min ago" / "no expiry" for a token. */
export function expirySummary(inspection: Inspection, nowMs: number, skewSeconds: number): string {
  const { exp } = inspection.times;
  if (exp === undefined) return 'no expiry';
  const relative = formatRelative(exp, nowMs);
  return timeStatus(inspection.times, nowMs, skewSeconds) === 'expired'
    ? `expired ${relative}`
    : `expires ${relative}`;
}

/** Issuer, audience, subject and expiry of the JWT under the cursor, with an "Inspect" link. */
export class JwtHoverProvider implements vscode.HoverProvider {
  constructor(private readonly settings: () => Settings) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const settings = this.settings();
    if (!settings.hoverEnabled) return undefined;
    const line = document.lineAt(position.line).text;
    const found = jwtAt(line, position.character);
    if (!found) return undefined;
    let inspection: Inspection;
    try {
      inspection = inspectToken(found.token);
    } catch {
      return undefined;
    }
    if (!inspection.header) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [CommandId.InspectJwt] };
    const kind = inspection.kind === 'jwe' ? 'Encrypted JWT (JWE)' : 'JWT';
    md.appendMarkdown(`$(key) **${kind}** · `);
    md.appendText(inspection.alg ?? 'no alg');
    if (inspection.kind !== 'jwe') {
      md.appendMarkdown(' · ');
      md.appendText(expirySummary(inspection, Date.now(), settings.clockSkewSeconds));
    }
    md.appendMarkdown('\n\n');
    const payload = inspection.payload ?? {};
    for (const [label, claim] of [
      ['Issuer', 'iss'],
      ['Audience', 'aud'],
      ['Subject', 'sub'],
    ] as const) {
      if (payload[claim] === undefined) continue;
      md.appendMarkdown(`${label}: `);
      md.appendText(shorten(payload[claim]));
      md.appendMarkdown('  \n');
    }
    if (inspection.problems[0]) {
      md.appendMarkdown('$(warning) ');
      md.appendText(inspection.problems[0].message);
      md.appendMarkdown('\n\n');
    }
    md.appendMarkdown(`\n[$(search) Inspect](${inspectCommandUri(found.token).toString()})`);
    const range = new vscode.Range(position.line, found.start, position.line, found.end);
    return new vscode.Hover(md, range);
  }
}
