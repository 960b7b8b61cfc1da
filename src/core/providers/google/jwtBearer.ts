// The jwt-bearer grant of a service-account key (RFC 7523), for ID tokens and access tokens.
import { SignJWT, importPKCS8 } from 'jose';
import type { CryptoKey } from 'jose';
import { TokenExplorerError, asClause } from '../../errors';
import { httpFailure, postForm } from '../../http';
import type { ProviderContext } from '../provider';
import type { Json, ServiceAccountCredentials } from './credentials';
import { requireObject } from './tokenResponses';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

// Importing an RSA key costs as much as signing with it: keep the last few imported keys (in
// memory only, keyed by the PEM that SecretStorage or the key file already holds).
const importedKeys = new Map<string, Promise<CryptoKey>>();
const MAX_IMPORTED_KEYS = 8;

function importedKey(pem: string): Promise<CryptoKey> {
  let key = importedKeys.get(pem);
  if (!key) {
    key = importPKCS8(pem, 'RS256');
    key.catch(() => importedKeys.delete(pem));
    if (importedKeys.size >= MAX_IMPORTED_KEYS) {
      importedKeys.delete(importedKeys.keys().next().value as string);
    }
    importedKeys.set(pem, key);
  }
  return key;
}

/**
 * Signs a jwt-bearer assertion for a service-account key: header `{alg: RS256, typ: JWT, kid}`,
 * claims `{iss, aud: token_uri, iat, exp: iat + 3600}` plus `claims` (`target_audience` or
 * `scope`).
 * @throws TokenExplorerError `bad-credentials` when the private key does not parse.
 */
export async function signServiceAccountAssertion(
  key: ServiceAccountCredentials,
  claims: Readonly<Record<string, string>>,
  nowMs: number,
): Promise<string> {
  let privateKey: CryptoKey;
  try {
    privateKey = await importedKey(key.privateKey);
  } catch (error) {
    throw new TokenExplorerError(
      'bad-credentials',
      `The private key of ${key.clientEmail} (from ${key.from}) could not be read as an RSA PKCS#8 key. Download a new JSON key from the Cloud console.`,
      { cause: error },
    );
  }
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.privateKeyId })
    .setIssuer(key.clientEmail)
    .setAudience(key.tokenUri)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(privateKey);
}

/** Rewrites a token-endpoint failure into what it means for a service-account key. */
function explainJwtBearerFailure(error: unknown, key: ServiceAccountCredentials): never {
  const failure = httpFailure(error);
  if (!failure || failure.status >= 500 || failure.status === 429) throw error;
  const said = asClause([failure.error, failure.description].filter(Boolean).join(': '));
  const description = (failure.description ?? '').toLowerCase();
  let why: string;
  if (description.includes('signature')) {
    why = `the key ${key.privateKeyId} is not (or no longer) a valid key of ${key.clientEmail}: it was deleted or disabled. Create a new key and import it again.`;
  } else if (
    description.includes('timeframe') ||
    description.includes('iat') ||
    description.includes('exp')
  ) {
    why = `the assertion's time is not accepted: this computer's clock is probably wrong. Sync the clock and try again.`;
  } else if (description.includes('not found') || failure.error === 'invalid_client') {
    why = `the service account ${key.clientEmail} does not exist (it was deleted) or is disabled.`;
  } else if (description.includes('disabled')) {
    why = `the service account ${key.clientEmail} or its key is disabled. Enable it in the Cloud console.`;
  } else {
    why = `check that the key is current and that ${key.clientEmail} is enabled.`;
  }
  throw new TokenExplorerError(
    'bad-credentials',
    `${key.tokenUri} refused the key of ${key.clientEmail}${said ? ` (${said})` : ''}: ${why}`,
    { cause: error },
  );
}

/**
 * The jwt-bearer grant: signs an assertion with a service-account key and POSTs it to the key's
 * `token_uri`. Returns the parsed answer (`id_token` for `target_audience`, `access_token` for
 * `scope`).
 */
export async function jwtBearerGrant(
  key: ServiceAccountCredentials,
  claims: Readonly<{ target_audience: string } | { scope: string }>,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<Json> {
  const assertion = await signServiceAccountAssertion(key, claims, context.clock.now());
  try {
    const body = await postForm(
      context.fetch,
      key.tokenUri,
      { grant_type: JWT_BEARER, assertion },
      { timeoutMs: context.timeoutMs, ...(signal ? { signal } : {}) },
    );
    return requireObject(body, key.tokenUri);
  } catch (error) {
    return explainJwtBearerFailure(error, key);
  }
}
