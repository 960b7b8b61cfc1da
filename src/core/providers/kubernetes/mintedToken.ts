import { TokenExplorerError } from '../../errors';
import { peekToken } from '../../jwt/peek';
import { JWT_SHAPE } from '../cli';
import type { MintedToken } from '../provider';

/** The token's expiry from its `exp` claim, else from the API's `expirationTimestamp`. */
export function mintedToken(
  token: string,
  expirationTimestamp: unknown,
  from: string,
): MintedToken {
  if (!JWT_SHAPE.test(token)) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `${from} returned something that is not a JWT (${token.length} characters).`,
    );
  }
  const exp = peekToken(token).times.exp;
  if (exp !== undefined) return { token, expiresAt: Math.round(exp * 1000) };
  const stamp = typeof expirationTimestamp === 'string' ? Date.parse(expirationTimestamp) : NaN;
  if (Number.isNaN(stamp)) {
    throw new TokenExplorerError('bad-response', `${from} returned a token without an expiry.`);
  }
  return { token, expiresAt: stamp };
}
