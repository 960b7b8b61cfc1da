// Reading the answers of Google's token endpoints.
import { TokenExplorerError } from '../../errors';
import { peekToken } from '../../jwt/peek';
import type { MintedToken } from '../provider';
import type { Json } from './credentials';
import { isObject } from './credentials';

/** The answer as a JSON object, else `bad-response` naming the URL. */
export function requireObject(body: unknown, url: string): Json {
  if (!isObject(body)) {
    throw new TokenExplorerError(
      'bad-response',
      `${url} answered with JSON that is not an object.`,
    );
  }
  return body;
}

/** A non-empty string field of an answer, else `bad-response`. */
export function requireField(body: Json, field: string, url: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new TokenExplorerError(
      'bad-response',
      `${url} answered without "${field}"; is the endpoint URL right?`,
    );
  }
  return value;
}

/** When an OAuth answer's token expires (ms), from `expires_in` (default 1 h). */
export function expiresAtFrom(body: Json, nowMs: number): number {
  const seconds = Number(body.expires_in);
  return nowMs + (Number.isFinite(seconds) && seconds > 0 ? seconds : 3600) * 1000;
}

/**
 * Wraps a minted ID token, taking its expiry from its own `exp`.
 * @throws TokenExplorerError `bad-response` when it is not a JWT with a numeric `exp`.
 */
export function mintedToken(token: string, from: string): MintedToken {
  let exp: number | undefined;
  try {
    exp = peekToken(token).times.exp;
  } catch {
    exp = undefined;
  }
  if (typeof exp !== 'number') {
    throw new TokenExplorerError(
      'bad-response',
      `${from} returned an ID token that is not a JWT with an expiry (exp).`,
    );
  }
  return { token, expiresAt: exp * 1000 };
}
