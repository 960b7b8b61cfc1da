import {
  compactVerify,
  createLocalJWKSet,
  exportJWK,
  importJWK,
  importSPKI,
  importX509,
} from 'jose';
import type {
  CryptoKey,
  FlattenedJWSInput,
  JSONWebKeySet,
  JWK,
  JWSHeaderParameters,
  KeyObject,
} from 'jose';
import { TokenExplorerError, errorMessage, asClause } from '../errors';
import { graphSignatureExplanation } from './graphToken';
import { normalizePem } from './keyText';
import type { Inspection } from './types';
import type { AudienceCheck, KeySource, VerifyOutcome } from './verifyTypes';
import { parseJwks, type IssuerKeys, type JwksCache } from './jwks';

/** Asymmetric JWS algorithms verified by default; HMAC only with a secret the user types. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

export interface VerifyOptions {
  readonly keySource: KeySource;
  readonly jwks: JwksCache;
  /** When false, nothing is fetched: issuer verification is reported as not attempted. */
  readonly allowNetwork: boolean;
}

type KeyInput = CryptoKey | KeyObject | JWK | Uint8Array;
type KeyGetter = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<KeyInput>;

/**
 * The code of a jose error (its `code`, e.g. `ERR_JWS_INVALID`). Read instead of `instanceof`
 * against `errors.*`, whose namespace would pull every jose error class into the bundle.
 */
function joseCode(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function outcomeFromError(
  error: unknown,
  alg: string,
  kid: string | undefined,
  keyFrom: string,
): VerifyOutcome {
  const code = joseCode(error);
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
    return { status: 'bad-signature', alg, ...(kid ? { kid } : {}), keyFrom };
  }
  if (code === 'ERR_JWKS_NO_MATCHING_KEY') {
    return {
      status: 'no-matching-key',
      ...(kid ? { kid } : {}),
      keyFrom,
      detail: kid
        ? `No key with kid "${kid}" and algorithm ${alg} is in the key set.`
        : `No key for algorithm ${alg} is in the key set, and the token names no kid.`,
    };
  }
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED' || code === 'ERR_JOSE_NOT_SUPPORTED') {
    return { status: 'algorithm-not-allowed', alg, reason: errorMessage(error) };
  }
  if (error instanceof TypeError || code === 'ERR_JWK_INVALID' || code === 'ERR_JWS_INVALID') {
    return {
      status: 'no-matching-key',
      ...(kid ? { kid } : {}),
      keyFrom,
      detail: `The key cannot verify ${alg} signatures (${asClause(errorMessage(error))}).`,
    };
  }
  return {
    status: 'not-attempted',
    reason: `Verification failed unexpectedly: ${errorMessage(error)}`,
  };
}

/** Verifies with a key getter; a set with several matching keys has each tried in turn. */
async function verifyWith(
  token: string,
  getKey: KeyGetter | KeyInput,
  algorithms: readonly string[],
  alg: string,
  kid: string | undefined,
  keyFrom: string,
): Promise<VerifyOutcome> {
  try {
    await compactVerify(token, getKey as KeyGetter, { algorithms: [...algorithms] });
    return { status: 'verified', alg, ...(kid ? { kid } : {}), keyFrom };
  } catch (error) {
    if (joseCode(error) === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
      let last: unknown = error;
      for await (const key of error as unknown as AsyncIterable<KeyInput>) {
        try {
          await compactVerify(token, key, { algorithms: [...algorithms] });
          return { status: 'verified', alg, ...(kid ? { kid } : {}), keyFrom };
        } catch (inner) {
          last = inner;
        }
      }
      return outcomeFromError(last, alg, kid, keyFrom);
    }
    return outcomeFromError(error, alg, kid, keyFrom);
  }
}

/** HMAC with symmetric JWKs the user supplied (jose's key sets hold only asymmetric keys). */
async function verifyWithOctKeys(
  inspection: Inspection,
  set: JSONWebKeySet,
  alg: string,
): Promise<VerifyOutcome> {
  const kid = inspection.kid;
  const candidates = set.keys.filter((k) => k.kty === 'oct' && (!kid || !k.kid || k.kid === kid));
  let outcome: VerifyOutcome = {
    status: 'no-matching-key',
    ...(kid ? { kid } : {}),
    keyFrom: 'supplied JWKS',
    detail: `The key set holds no symmetric ("oct") key${kid ? ` with kid "${kid}"` : ''} for ${alg}.`,
  };
  for (const jwk of candidates) {
    const key = await importJWK({ ...jwk, alg }, alg);
    outcome = await verifyWith(inspection.token, key, HMAC_ALGORITHMS, alg, kid, 'supplied JWKS');
    if (outcome.status === 'verified') break;
  }
  return outcome;
}

/**
 * A key set where each JWK that carries its key only as a certificate chain (`x5c`, RFC 7517
 * §4.7) also has the public key itself, which jose's local key sets need. A JWK with neither
 * gets an error naming what is missing.
 */
async function withCertificateKeys(set: JSONWebKeySet, alg: string): Promise<JSONWebKeySet> {
  const keys = await Promise.all(
    set.keys.map(async (jwk) => {
      const material = jwk.kty === 'RSA' ? 'n' : jwk.kty === 'oct' ? 'k' : 'x';
      if (jwk[material] !== undefined) return jwk;
      const [certificate] = Array.isArray(jwk.x5c) ? jwk.x5c : [];
      if (typeof certificate !== 'string') {
        throw new TokenExplorerError(
          'bad-key',
          `The ${jwk.kty ?? 'untyped'} key${jwk.kid ? ` "${jwk.kid}"` : ''} has no "${material}" member and no "x5c" certificate, so it holds no public key.`,
        );
      }
      const key = await importX509(normalizePem(certificate, true).pem, jwk.alg ?? alg, {
        extractable: true,
      });
      return { ...jwk, ...(await exportJWK(key)) };
    }),
  );
  return { keys };
}

/**
 * Turns the PEM the user pasted into a key (mended by normalizePem: literal "\n", missing armour,
 * any wrapping), refusing private keys without echoing them. A bare base64 body is tried as an
 * SPKI public key, then as a certificate.
 */
async function importPem(pem: string, alg: string): Promise<KeyInput> {
  const text = pem.trim();
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new TokenExplorerError(
      'bad-key',
      'That is a private key. Paste the public key or certificate instead; a private key is never needed to verify.',
    );
  }
  if (text.includes('-----BEGIN RSA PUBLIC KEY-----')) {
    throw new TokenExplorerError(
      'bad-key',
      'PKCS#1 "RSA PUBLIC KEY" PEM is not supported. Convert it with: openssl rsa -RSAPublicKey_in -in key.pem -pubout',
    );
  }
  const attempts = text.includes('-----BEGIN')
    ? [normalizePem(text)]
    : [normalizePem(text), normalizePem(text, true)];
  let failure: unknown;
  for (const { pem: normalized } of attempts) {
    try {
      if (normalized.startsWith('-----BEGIN CERTIFICATE-----'))
        return await importX509(normalized, alg);
      return await importSPKI(normalized, alg);
    } catch (error) {
      failure = error;
    }
  }
  throw new TokenExplorerError(
    'bad-key',
    `The PEM could not be read as a ${alg} public key: ${asClause(errorMessage(failure))}.`,
    { cause: failure },
  );
}

async function verifyWithIssuer(
  inspection: Inspection,
  alg: string,
  options: VerifyOptions,
): Promise<VerifyOutcome> {
  if (HMAC_ALGORITHMS.includes(alg)) {
    return {
      status: 'not-attempted',
      reason: `${alg} tokens are signed with a shared secret, not an issuer's public key: use "Verify with key…" and type the secret.`,
    };
  }
  const issuer = inspection.issuer;
  if (!issuer) {
    return {
      status: 'not-attempted',
      reason:
        'The token has no "iss" claim, so there is no issuer to get keys from: use "Verify with key…".',
    };
  }
  if (!options.allowNetwork) {
    return {
      status: 'not-attempted',
      reason:
        'Network verification is off (setting tokenExplorer.verification.fetchIssuerKeys): use "Verify with key…".',
    };
  }
  let entry: IssuerKeys;
  try {
    entry = await options.jwks.get(issuer);
  } catch (error) {
    if (
      error instanceof TokenExplorerError &&
      error.code === 'bad-response' &&
      /not https|not a URL/.test(error.message)
    ) {
      return { status: 'not-attempted', reason: error.message };
    }
    return { status: 'issuer-unreachable', url: issuer, reason: errorMessage(error) };
  }
  const kid = inspection.kid;
  const outcome = await verifyWith(
    inspection.token,
    entry.keys,
    ASYMMETRIC_ALGORITHMS,
    alg,
    kid,
    entry.jwksUrl,
  );
  if (outcome.status !== 'no-matching-key') return outcome;
  const fresh = await options.jwks.refreshAfterMiss(issuer, entry).catch(() => undefined);
  if (!fresh) return outcome;
  return verifyWith(inspection.token, fresh.keys, ASYMMETRIC_ALGORITHMS, alg, kid, fresh.jwksUrl);
}

/**
 * Checks the signature of an inspected token with keys from its issuer (discovery or built-in
 * JWKS location) or a key the user supplied. Only public metadata is fetched; the token is never
 * sent anywhere. Claims (exp, aud...) are not judged here: the inspector shows them separately.
 */
export async function verifySignature(
  inspection: Inspection,
  options: VerifyOptions,
): Promise<VerifyOutcome> {
  if (inspection.kind === 'jwe') {
    return {
      status: 'not-attempted',
      reason:
        'Encrypted tokens (JWE) are decrypted by their recipient, not verified with a public key.',
    };
  }
  if (inspection.problems.length > 0) {
    return {
      status: 'not-attempted',
      reason: 'The token does not decode cleanly, so its signature cannot be checked.',
    };
  }
  const alg = inspection.alg ?? '';
  if (inspection.kind === 'unsecured' || alg === 'none') {
    return {
      status: 'algorithm-not-allowed',
      alg: 'none',
      reason:
        'The token is unsigned ("alg": "none"); there is nothing to verify and it must not be trusted.',
    };
  }
  const graph = graphSignatureExplanation(inspection);
  if (graph) return { status: 'unverifiable', reason: graph };
  const kid = inspection.kid;
  const source = options.keySource;
  try {
    switch (source.kind) {
      case 'issuer':
        return await verifyWithIssuer(inspection, alg, options);
      case 'jwks': {
        let json: unknown;
        try {
          json = JSON.parse(source.json);
        } catch (error) {
          throw new TokenExplorerError(
            'bad-key',
            `The key is not valid JSON (${asClause(errorMessage(error))}).`,
          );
        }
        const set = await withCertificateKeys(parseJwks(json, 'The supplied JSON'), alg);
        if (HMAC_ALGORITHMS.includes(alg)) return await verifyWithOctKeys(inspection, set, alg);
        return await verifyWith(
          inspection.token,
          createLocalJWKSet(set),
          ASYMMETRIC_ALGORITHMS,
          alg,
          kid,
          'supplied JWKS',
        );
      }
      case 'pem': {
        if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
          return {
            status: 'algorithm-not-allowed',
            alg,
            reason: `A public key cannot verify ${alg}; ${alg} needs ${HMAC_ALGORITHMS.includes(alg) ? 'the shared secret' : 'a supported algorithm'}.`,
          };
        }
        const key = await importPem(source.pem, alg);
        return await verifyWith(
          inspection.token,
          key,
          ASYMMETRIC_ALGORITHMS,
          alg,
          kid,
          'supplied PEM key',
        );
      }
      case 'secret': {
        if (!HMAC_ALGORITHMS.includes(alg)) {
          return {
            status: 'algorithm-not-allowed',
            alg,
            reason: `A shared secret verifies only HS256/384/512; this token uses ${alg}, which needs the issuer's public key.`,
          };
        }
        const key = new TextEncoder().encode(source.secret);
        return await verifyWith(
          inspection.token,
          key,
          HMAC_ALGORITHMS,
          alg,
          kid,
          'supplied secret',
        );
      }
    }
  } catch (error) {
    if (error instanceof TokenExplorerError && error.code === 'bad-key') {
      return { status: 'key-unreadable', keyFrom: 'supplied key', detail: error.message };
    }
    return { status: 'not-attempted', reason: errorMessage(error) };
  }
}

/** Compares the token's `aud` (string or array) with the audience the user expects. */
export function checkAudience(
  payload: Readonly<Record<string, unknown>> | undefined,
  expected: string | undefined,
): AudienceCheck {
  if (!expected) return { status: 'not-checked' };
  const aud = payload?.aud;
  const actual =
    typeof aud === 'string'
      ? [aud]
      : Array.isArray(aud)
        ? aud.filter((a): a is string => typeof a === 'string')
        : [];
  return actual.includes(expected)
    ? { status: 'match', expected }
    : { status: 'mismatch', expected, actual };
}
