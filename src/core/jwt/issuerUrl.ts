import type { Inspection } from './types';

// As jwks.ts allows: https anywhere, plain http only on the loopback interface.
const LOOPBACK = /^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * Whether verifying with the issuer's published keys can work for this token: a signed (JWS)
 * token with a public-key algorithm and an `iss` that is an https URL (http on loopback). An
 * issuer such as "joe", an HMAC token or an encrypted one gets no such offer.
 */
export function canFetchIssuerKeys(
  inspection: Pick<Inspection, 'kind' | 'alg' | 'issuer'>,
): boolean {
  if (inspection.kind !== 'jws' || inspection.issuer === undefined) return false;
  if (inspection.alg === undefined || inspection.alg.startsWith('HS')) return false;
  let url: URL;
  try {
    url = new URL(inspection.issuer);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
}
