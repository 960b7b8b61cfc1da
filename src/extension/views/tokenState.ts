import { errorMessage } from '../../core/errors';
import { formatDuration } from '../../core/jwt/time';
import type { MintedToken } from '../../core/providers/provider';

/** "expires in 41 min", "expired 3 min ago", or "error: …", for tree descriptions and tooltips. */
export function tokenStateText(
  token: MintedToken | undefined,
  lastError: unknown,
  nowMs: number,
): string | undefined {
  if (lastError !== undefined && (!token || token.expiresAt <= nowMs)) {
    const message = errorMessage(lastError);
    return `error: ${message.length > 80 ? `${message.slice(0, 80)}…` : message}`;
  }
  if (!token) return undefined;
  // Not rounded: formatDuration truncates, as the badge and the inspector's countdown do, so no
  // surface says "1 h" where another says "59 min".
  const seconds = (token.expiresAt - nowMs) / 1000;
  if (seconds <= 0) return `expired ${formatDuration(-seconds)} ago`;
  const state = `expires in ${formatDuration(seconds)}`;
  return lastError !== undefined ? `${state} (refresh failed)` : state;
}

/** What the two-character badge at the end of an account row says about its newest token. */
export interface CountdownBadge {
  /** At most 2 characters (VS Code's limit): minutes left, "<1", "3h", or "!". */
  readonly badge: string;
  readonly tone: 'ok' | 'expired' | 'error';
}

/**
 * The badge for a token at nowMs: minutes left up to 99, then hours ("3h", "9+" beyond), "<1"
 * under a minute, "!" when expired or when the last mint failed without a usable token. The
 * row's description says the same in words; the badge is what stays visible in a narrow side
 * bar, where VS Code cuts the description first (as the SCM view shows "M"/"U").
 */
export function countdownBadge(
  token: MintedToken | undefined,
  lastError: unknown,
  nowMs: number,
): CountdownBadge | undefined {
  if (token === undefined || token.expiresAt <= nowMs) {
    if (lastError !== undefined) return { badge: '!', tone: 'error' };
    return token === undefined ? undefined : { badge: '!', tone: 'expired' };
  }
  const minutes = Math.floor((token.expiresAt - nowMs) / 60_000);
  if (minutes < 1) return { badge: '<1', tone: 'ok' };
  if (minutes < 100) return { badge: String(minutes), tone: 'ok' };
  const hours = Math.floor(minutes / 60);
  return { badge: hours < 10 ? `${hours}h` : '9+', tone: 'ok' };
}

/** The longest account name or audience the status bar shows before cutting it with "…". */
export const STATUS_BAR_PART = 24;

function cut(text: string): string {
  return text.length > STATUS_BAR_PART ? `${text.slice(0, STATUS_BAR_PART - 1)}…` : text;
}

/**
 * The status bar's parts for the latest token, most important first: the countdown ("59 min",
 * "expired 3 min ago"), then the account and the audience (scheme dropped), each cut at
 * STATUS_BAR_PART characters. The countdown leads because a narrow window cuts an item's end.
 */
export function statusBarParts(
  state: string,
  account: string,
  audience: string,
): readonly [string, string, string] {
  const shownAudience = audience === '' ? 'default audience' : audience.replace(/^https?:\/\//, '');
  return [state.replace(/^expires in /, ''), cut(account), cut(shownAudience)];
}
