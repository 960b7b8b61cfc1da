import * as vscode from 'vscode';
import { shownToken } from '../../core/jwt/mask';
import { compactJson } from '../../core/jwt/deepJson';
import { HOVER_WINDOW, jwtAt } from '../../core/jwt/find';
import { inspectToken } from '../../core/jwt/inspect';
import { formatRelative, timeStatus } from '../../core/jwt/time';
import type { Inspection } from '../../core/jwt/types';
import type { Settings } from '../adapters/settings';
import { appendUntrusted, trustedMarkdown } from './untrusted';

const MAX_VALUE = 160;
const INSPECT_COMMAND = 'tokenExplorer.inspectJwt';

/** A command URI that opens the inspector on this token. */
export function inspectCommandUri(token: string): vscode.Uri {
  return vscode.Uri.parse(
    `command:${INSPECT_COMMAND}?${encodeURIComponent(JSON.stringify([token]))}`,
  );
}

function shorten(value: unknown): string {
  const text = typeof value === 'string' ? value : compactJson(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** One line "expires in 41 min" / "expired 3 min ago" / "no expiry" for a token. */
export function expirySummary(inspection: Inspection, nowMs: number, skewSeconds: number): string {
  const { exp } = inspection.times;
  if (inspection.times.expUnreadable !== undefined) return 'expiry unreadable';
  if (exp === undefined) return 'no expiry';
  const relative = formatRelative(exp, nowMs);
  return timeStatus(inspection.times, nowMs, skewSeconds) === 'expired'
    ? `expired ${relative}`
    : `expires ${relative}`;
}

// Lines read around the hovered one, to find a token hard-wrapped across lines.
const NEARBY_LINES = 200;

/**
 * The text around `position` that a token covering it can occupy: whole lines up and down while
 * they fit in the hover window, so one hover costs the same whatever the document.
 */
function nearbyText(
  document: vscode.TextDocument,
  position: vscode.Position,
): { text: string; offset: number; start: vscode.Position } {
  let first = position.line;
  let last = position.line;
  let size = document.lineAt(position.line).text.length;
  while (first > 0 && position.line - first < NEARBY_LINES) {
    const length = document.lineAt(first - 1).text.length;
    if (size + length > HOVER_WINDOW) break;
    size += length;
    first--;
  }
  while (last + 1 < document.lineCount && last - position.line < NEARBY_LINES) {
    const length = document.lineAt(last + 1).text.length;
    if (size + length > HOVER_WINDOW * 2) break;
    size += length;
    last++;
  }
  const start = new vscode.Position(first, 0);
  const range = new vscode.Range(start, document.lineAt(last).range.end);
  return {
    text: document.getText(range),
    offset: document.offsetAt(position) - document.offsetAt(start),
    start,
  };
}

/** Issuer, audience, subject and expiry of the JWT under the cursor, with an "Inspect" link. */
export class JwtHoverProvider implements vscode.HoverProvider {
  constructor(private readonly settings: () => Settings) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const settings = this.settings();
    if (!settings.hoverEnabled) return undefined;
    const { text, offset, start } = nearbyText(document, position);
    const found = jwtAt(text, offset);
    if (!found) return undefined;
    let inspection: Inspection;
    try {
      inspection = inspectToken(found.token);
    } catch {
      return undefined;
    }
    if (!inspection.header) return undefined;
    const md = trustedMarkdown([INSPECT_COMMAND]);
    const kind = inspection.kind === 'jwe' ? 'Encrypted JWT (JWE)' : 'JWT';
    md.appendMarkdown(`$(key) **${kind}** · `);
    appendUntrusted(md, inspection.alg ?? 'no alg');
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
      appendUntrusted(md, shorten(payload[claim]));
      md.appendMarkdown('  \n');
    }
    if (found.repairs) md.appendText(`Read after repair: ${found.repairs.join('; ')}.\n\n`);
    if (inspection.problems[0]) {
      md.appendMarkdown('$(warning) ');
      appendUntrusted(md, inspection.problems[0].message);
      md.appendMarkdown('\n\n');
    }
    md.appendMarkdown('Token: ');
    md.appendText(shownToken(found.token, settings.maskTokens));
    md.appendMarkdown('\n\n');
    md.appendMarkdown(`\n[$(search) Inspect](${inspectCommandUri(found.token).toString()})`);
    const base = document.offsetAt(start);
    const range = new vscode.Range(
      document.positionAt(base + found.start),
      document.positionAt(base + found.end),
    );
    return new vscode.Hover(md, range);
  }
}
