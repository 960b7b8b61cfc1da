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

// The extension ships in two bundles (see esbuild.mjs), each with its own copy of this class:
// instanceof goes by this brand so an error from one bundle is recognised in the other.
const BRAND = Symbol.for('tokenExplorer.error');

/**
 * The one error class of the core. `message` is written for the user who reads it: what failed,
 * why, and what to do. It never contains a token or key material.
 */
export class TokenExplorerError extends Error {
  override readonly name = 'TokenExplorerError';
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && BRAND in value;
  }

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The message of anything thrown, for showing to a user. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
