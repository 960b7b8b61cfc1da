// Reading the answers of Google's token endpoints.
import { isNonEmptyString, isRecord } from '../../guards';
import { TokenExplorerError, asClause } from '../../errors';
import { httpFailure, postForm } from '../../http';
import type { MintedToken, ProviderContext } from '../provider';
import type { Json } from './credentials';

/** The answer as a JSON object, else `bad-response` naming the URL. */
export function requireObject(body: unknown, url: string): Json {
  if (!isRecord(body)) {
    throw new TokenExplorerError(
      'bad-response',
      `${url} answered with JSON that is not an object.`,
    );
  }
  return body;
}

/** The token endpoint and the optional OAuth client of a credentials file. */
export interface TokenClient {
  readonly tokenUrl: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/**
 * POSTs a form to a token endpoint, with HTTP Basic client authentication when the client has an
 * id and a secret, and returns the answer as a JSON object.
 * @param refused the `bad-credentials` message for a 4xx other than 429, given the endpoint's own
 *   words as ` (error: description)` or an empty string.
 */
export async function postTokenForm(
  client: TokenClient,
  form: Readonly<Record<string, string | undefined>>,
  context: ProviderContext,
  refused: (said: string) => string,
): Promise<Json> {
  const headers: Record<string, string> = {};
  if (client.clientId && client.clientSecret) {
    const basic = `${client.clientId}:${client.clientSecret}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  try {
    return requireObject(
      await postForm(context.fetch, client.tokenUrl, form, {
        timeoutMs: context.timeoutMs,
        headers,
      }),
      client.tokenUrl,
    );
  } catch (error) {
    const failure = httpFailure(error);
    if (failure && failure.status < 500 && failure.status !== 429) {
      const said = asClause([failure.error, failure.description].filter(Boolean).join(': '));
      throw new TokenExplorerError('bad-credentials', refused(said ? ` (${said})` : ''), {
        cause: error,
      });
    }
    throw error;
  }
}

/** A non-empty string field of an answer, else `bad-response`. */
export function requireField(body: Json, field: string, url: string): string {
  const value = body[field];
  if (!isNonEmptyString(value)) {
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
 * The `exp` (seconds since the epoch) of a compact JWS, read from its payload alone: a mint needs
 * only this number, not the decoding and time formatting the inspector does (`peekToken`).
 * @returns undefined when the token is not three base64url parts with a JSON payload whose `exp`
 *   is a finite number.
 */
export function expiryOf(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = isRecord(payload) ? payload.exp : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Wraps a minted ID token, taking its expiry from its own `exp`.
 * @throws TokenExplorerError `bad-response` when it is not a JWT with a numeric `exp`.
 */
export function mintedToken(token: string, from: string): MintedToken {
  const exp = expiryOf(token);
  if (exp === undefined) {
    throw new TokenExplorerError(
      'bad-response',
      `${from} returned an ID token that is not a JWT with an expiry (exp).`,
    );
  }
  return { token, expiresAt: exp * 1000 };
}
