import { base64url } from 'jose';

// Signature sizes in bytes per JWS algorithm (RFC 7518 §3; RFC 8037 for EdDSA): HMAC gives the
// hash size, ECDSA twice the curve's coordinate size, RSA the modulus size (1024 to 4096 bits).
const RSA_BYTES = [128, 256, 384, 512];
const BYTES: Readonly<Record<string, readonly number[]>> = {
  HS256: [32],
  HS384: [48],
  HS512: [64],
  ES256: [64],
  ES256K: [64],
  ES384: [96],
  ES512: [132],
  Ed25519: [64],
  Ed448: [114],
  EdDSA: [64, 114],
  none: [0],
};

const utf8 = new TextDecoder();

/** base64url characters (no padding) that encode `bytes` bytes. */
export function base64urlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

/** The `alg` of a header segment, or undefined when it does not decode to one. */
export function algOfHeader(headerSegment: string): string | undefined {
  try {
    const header: unknown = JSON.parse(utf8.decode(base64url.decode(headerSegment)));
    const alg = (header as { alg?: unknown } | null)?.alg;
    return typeof alg === 'string' ? alg : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lengths in base64url characters a signature made with `alg` can have (RSA: one per common
 * key size), or undefined for an algorithm whose size is not fixed or not known.
 */
export function expectedSignatureLengths(alg: string | undefined): readonly number[] | undefined {
  if (alg === undefined) return undefined;
  const bytes = /^(?:RS|PS)(?:256|384|512)$/.test(alg) ? RSA_BYTES : BYTES[alg];
  return bytes?.map(base64urlLength);
}
