import * as assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTVerifyResult } from 'jose';
import { TokenExplorerError } from '../../../src/core/errors';
import type { ErrorCode } from '../../../src/core/errors';
import { JwksCache } from '../../../src/core/jwt/jwks';
import type { Inspection } from '../../../src/core/jwt/types';
import { verifySignature } from '../../../src/core/jwt/verify';
import type { VerifyOutcome } from '../../../src/core/jwt/verifyTypes';

/**
 * Asserts that a promise rejects with a TokenExplorerError of this code whose message matches every
 * pattern, and returns the error for further checks.
 */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: ErrorCode,
  ...patterns: RegExp[]
): Promise<TokenExplorerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TokenExplorerError, `not a TokenExplorerError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}

/**
 * rejectsWith that also asserts the message holds none of `secrets()` (read when the check runs,
 * so a token made in a `before` hook counts): errors must never carry tokens or credentials.
 */
export function rejectsWithout(
  secrets: () => readonly (string | RegExp)[],
): (
  promise: Promise<unknown>,
  code: ErrorCode,
  ...patterns: RegExp[]
) => Promise<TokenExplorerError> {
  return async (promise, code, ...patterns) => {
    const error = await rejectsWith(promise, code, ...patterns);
    for (const secret of secrets()) {
      if (typeof secret === 'string') assert.ok(!error.message.includes(secret), 'a secret leaked');
      else assert.doesNotMatch(error.message, secret, 'a secret leaked');
    }
    return error;
  };
}

/** Asserts that `fn` throws a TokenExplorerError of this code whose message matches every pattern. */
export function throwsWith(fn: () => unknown, code: ErrorCode, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof TokenExplorerError, `not a TokenExplorerError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

/** Verifies an ID token as a relying party would: Google's issuer, this audience, these keys. */
export function verifyGoogleIdToken(
  token: string,
  jwks: JSONWebKeySet,
  audience: string,
  algorithms?: string[],
): Promise<JWTVerifyResult> {
  return jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: 'https://accounts.google.com',
    audience,
    ...(algorithms ? { algorithms } : {}),
  });
}

/** Verifies a token as the inspector does, fetching the keys of `issuer` from `jwksUrl`. */
export function verifyThroughIssuer(
  inspection: Inspection,
  issuer: string,
  jwksUrl: string,
): Promise<VerifyOutcome> {
  return verifySignature(inspection, {
    keySource: { kind: 'issuer' },
    jwks: new JwksCache(
      fetch,
      { now: Date.now },
      { timeoutMs: 1000, jwksOverrides: () => ({ [issuer]: jwksUrl }) },
    ),
    allowNetwork: true,
  });
}
