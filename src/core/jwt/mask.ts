/**
 * A token shortened for screen sharing: its first 6 and last 4 characters around an ellipsis, so
 * it can be recognised but not used. Short strings are replaced entirely.
 */
export function maskToken(token: string): string {
  if (token.length <= 16) return '•'.repeat(Math.min(token.length, 8));
  return `${token.slice(0, 6)}…${token.slice(-4)}`;
}

/** The token as shown: masked in masked mode, whole otherwise. */
export function shownToken(token: string, masked: boolean): string {
  return masked ? maskToken(token) : token;
}
