/** Where the verification key comes from. */
export type KeySource =
  | { readonly kind: 'issuer' }
  | { readonly kind: 'jwks'; readonly json: string }
  | { readonly kind: 'pem'; readonly pem: string }
  | { readonly kind: 'secret'; readonly secret: string };

/** The result of checking a token's signature; one state per outcome the user can act on. */
export type VerifyOutcome =
  | {
      readonly status: 'verified';
      readonly alg: string;
      readonly kid?: string;
      /** Where the key came from, e.g. the JWKS URL or "supplied PEM key". */
      readonly keyFrom: string;
    }
  | {
      readonly status: 'bad-signature';
      readonly alg: string;
      readonly kid?: string;
      readonly keyFrom: string;
    }
  | {
      readonly status: 'no-matching-key';
      readonly kid?: string;
      readonly keyFrom: string;
      readonly detail: string;
    }
  /** The key the user supplied cannot be read (a PEM without its END line, JSON that is no JWKS). */
  | { readonly status: 'key-unreadable'; readonly keyFrom: string; readonly detail: string }
  | { readonly status: 'issuer-unreachable'; readonly url: string; readonly reason: string }
  | { readonly status: 'algorithm-not-allowed'; readonly alg: string; readonly reason: string }
  /** No key anyone holds can check it (a Microsoft Graph token's hashed header nonce): why. */
  | { readonly status: 'unverifiable'; readonly reason: string }
  | { readonly status: 'not-attempted'; readonly reason: string };

/** Result of the optional expected-audience check. */
export type AudienceCheck =
  | { readonly status: 'match'; readonly expected: string }
  | { readonly status: 'mismatch'; readonly expected: string; readonly actual: readonly string[] }
  | { readonly status: 'not-checked' };
