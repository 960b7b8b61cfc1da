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
  const seconds = Math.round((token.expiresAt - nowMs) / 1000);
  if (seconds <= 0) return `expired ${formatDuration(-seconds)} ago`;
  const state = `expires in ${formatDuration(seconds)}`;
  return lastError !== undefined ? `${state} (refresh failed)` : state;
}
