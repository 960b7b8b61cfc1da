import type { Remedy } from './remedies';

/** Every failure the core reports, one code per branch the user can act on. */
export type ErrorCode =
  | 'no-token'
  | 'not-a-jwt'
  | 'json-without-token'
  | 'bad-key'
  | 'network'
  | 'timeout'
  | 'http-status'
  | 'bad-response'
  | 'cancelled'
  | 'cli-not-found'
  | 'cli-failed'
  | 'permission-denied'
  | 'bad-credentials'
  | 'no-credentials'
  | 'bad-config'
  | 'user-account-audience'
  | 'secret-storage-unavailable';

/**
 * The one error class of the core. `message` is written for the user who reads it: what failed,
 * why, and what to do. It never contains a token or key material.
 */
export class TokenExplorerError extends Error {
  override readonly name = 'TokenExplorerError';
  /** The actions that fix this failure, most direct first (./remedies); often none. */
  readonly remedies: readonly Remedy[];
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly remedies?: readonly Remedy[] },
  ) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.remedies = options?.remedies ?? [];
  }
}

/** The message of anything thrown, for showing to a user. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

const CLOSING_PUNCTUATION = new Set(['.', '!', '?', '…']);

/**
 * Another message (an error's, a server's) made fit to sit inside a sentence, as in
 * `Listing failed: ${asClause(m)}. Type…` or `(${asClause(m)}).`: trimmed, without the full stops
 * (or `!`, `?`, `…`) it ends with, so the sentence around it does not double them (".)." or "..").
 * Linear in the length of `message`.
 */
export function asClause(message: string): string {
  const text = message.trim();
  let end = text.length;
  while (end > 0 && CLOSING_PUNCTUATION.has(text[end - 1] ?? '')) end--;
  return text.slice(0, end).trimEnd();
}
