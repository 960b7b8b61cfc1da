import { countdownText, formatRelative, timeStatus } from '../core/jwt/time';
import type { Inspection } from '../core/jwt/types';
import { icon } from './dom';

/** What the badge says: the time status, or why time does not decide validity. */
export type BadgeStatus =
  | 'valid'
  | 'expired'
  | 'not-yet-valid'
  | 'no-expiry'
  | 'expiry-unreadable'
  | 'encrypted'
  | 'unsigned'
  | 'broken';

const badgeText: Readonly<Record<BadgeStatus, { label: string; codicon: string }>> = {
  // Time only: the signature has its own answer, so this never says "valid".
  valid: { label: 'Not expired', codicon: 'watch' },
  expired: { label: 'Expired', codicon: 'error' },
  'not-yet-valid': { label: 'Not yet valid', codicon: 'clock' },
  'no-expiry': { label: 'No expiry', codicon: 'circle-slash' },
  'expiry-unreadable': { label: 'Expiry unreadable', codicon: 'question' },
  encrypted: { label: 'Encrypted (JWE)', codicon: 'lock' },
  unsigned: { label: 'Unsigned (alg none)', codicon: 'unverified' },
  broken: { label: 'Broken', codicon: 'error' },
};

/** The parts of a rendered token that change with the clock, updated without a re-render. */
export interface LiveView {
  readonly inspection: Inspection;
  readonly clockSkewSeconds: number;
  readonly badge: HTMLElement;
  readonly countdown: HTMLElement;
  /** "in 42 min" / "3 min ago" cells and the instant each one describes. */
  readonly relatives: readonly { readonly node: HTMLElement; readonly epochSeconds: number }[];
}

/** The badge for a token at an instant: decoding and signing problems outrank the clock. */
export function badgeStatus(
  inspection: Inspection,
  nowMs: number,
  skewSeconds: number,
): BadgeStatus {
  if (inspection.problems.length > 0) return 'broken';
  if (inspection.kind === 'jwe') return 'encrypted';
  if (inspection.kind === 'unsecured') return 'unsigned';
  return timeStatus(inspection.times, nowMs, skewSeconds);
}

/** The countdown line; empty for JWE, whose times are inside the encrypted payload. */
export function countdownLine(inspection: Inspection, nowMs: number, skewSeconds: number): string {
  return inspection.kind === 'jwe' ? '' : countdownText(inspection.times, nowMs, skewSeconds);
}

/** Why the Times block has no rows: encrypted, unreadable payload, or truly no time claims. */
export function noTimesReason(inspection: Inspection): string {
  if (inspection.kind === 'jwe') return 'The time claims are inside the encrypted payload.';
  if (!inspection.payload) {
    return 'The payload cannot be decoded (see the problem above), so its time claims, exp included, are unknown.';
  }
  return 'This token has no time claims (exp, nbf, iat, auth_time).';
}

/** Brings the badge, the countdown and the relative times up to date with nowMs. */
export function tick(live: LiveView, nowMs: number): void {
  const status = badgeStatus(live.inspection, nowMs, live.clockSkewSeconds);
  if (live.badge.dataset['status'] !== status) {
    const { label, codicon } = badgeText[status];
    live.badge.className = `badge badge-${status}`;
    live.badge.dataset['status'] = status;
    live.badge.replaceChildren(icon(codicon), label);
  }
  const countdown = countdownLine(live.inspection, nowMs, live.clockSkewSeconds);
  if (live.countdown.textContent !== countdown) live.countdown.textContent = countdown;
  for (const { node, epochSeconds } of live.relatives) {
    const text = formatRelative(epochSeconds, nowMs);
    if (node.textContent !== text) node.textContent = text;
  }
}
