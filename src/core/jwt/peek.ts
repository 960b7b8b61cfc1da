import type { Decoded } from './decode';
import { decodeCompact } from './decode';
import { tokenTimes } from './time';
import type { TokenTimes } from './types';

/**
 * Decodes a token and reads its time claims, without the claims catalogue: what providers need
 * to check a minted token and learn its `exp` (the inspector uses inspectToken instead).
 */
export function peekToken(
  token: string,
): Decoded & { readonly token: string; readonly times: TokenTimes } {
  const decoded = decodeCompact(token);
  return { ...decoded, token, times: tokenTimes(decoded).times };
}
