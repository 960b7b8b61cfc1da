import { SigV4Refused, type SigV4Identity, type SigV4Verified, verifySigV4 } from '../aws/sigv4';

/**
 * What Google's STS does with an AWS subject token (`subject_token_type
 * urn:ietf:params:aws:token-type:aws4_request`): it decodes the serialized, signed
 * GetCallerIdentity request and has AWS check it. This module unpacks the request and checks what
 * is particular to it; the signature is checked by the emulators' one SigV4 verifier
 * (`../aws/sigv4.ts`, written from the AWS docs, which it cites). Sources:
 * - token layout: google-auth-library src/auth/awsclient.ts `retrieveSubjectToken` (URL-encoded
 *   JSON `{url, method, headers: [{key, value}]}`) and
 *   https://cloud.google.com/iam/docs/workload-identity-federation-with-other-clouds#rest
 *   ("the serialized GetCallerIdentity request"; `x-goog-cloud-target-resource` is the provider's
 *   full resource name);
 * - the regional STS endpoint `sts.REGION.amazonaws.com` (awsclient.ts: "Use the required
 *   regional endpoint. Otherwise, the request will fail.").
 */

/** AWS credentials STS knows. */
export type AwsIdentity = SigV4Identity;

/** The public parts of a checked GetCallerIdentity request (no signature, no token). */
export interface CallerIdentityShape {
  readonly url: string;
  readonly method: string;
  /** The header names in the order the token lists them. */
  readonly headerNames: readonly string[];
  /** The `SignedHeaders` of its Authorization header. */
  readonly signedHeaders: string;
  readonly accessKeyId: string;
}

/** Why a subject token was refused, in the words AWS STS uses where it has them. */
export class CallerIdentityRefused extends Error {}

/**
 * Checks a subject token as STS and AWS would; returns the identity that signed it and the
 * request's public parts.
 * @param audience the `audience` of the token exchange (the workload identity provider).
 * @throws CallerIdentityRefused saying what is wrong.
 */
export function verifyCallerIdentityToken(
  subjectToken: string,
  audience: string,
  identities: ReadonlyMap<string, AwsIdentity>,
  nowMs: number,
): { identity: AwsIdentity; shape: CallerIdentityShape } {
  let request: { url?: unknown; method?: unknown; headers?: unknown };
  try {
    request = JSON.parse(decodeURIComponent(subjectToken)) as typeof request;
  } catch {
    throw new CallerIdentityRefused('The subject token is not a URL-encoded JSON request.');
  }
  if (request.method !== 'POST') {
    throw new CallerIdentityRefused('The GetCallerIdentity request must use POST.');
  }
  if (typeof request.url !== 'string' || !Array.isArray(request.headers)) {
    throw new CallerIdentityRefused('The subject token has no url or no headers list.');
  }
  const url = new URL(request.url);
  const headers = new Map<string, string>();
  for (const entry of request.headers as unknown[]) {
    const { key, value } = (entry ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || typeof value !== 'string') {
      throw new CallerIdentityRefused('A header of the subject token is not {key, value}.');
    }
    headers.set(key.toLowerCase(), value);
  }
  if (
    url.searchParams.get('Action') !== 'GetCallerIdentity' ||
    url.searchParams.get('Version') !== '2011-06-15'
  ) {
    throw new CallerIdentityRefused('The subject token is not a GetCallerIdentity request.');
  }
  const region = /^sts\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
  if (url.protocol !== 'https:' || !region) {
    throw new CallerIdentityRefused(
      `The GetCallerIdentity URL must be a regional AWS STS endpoint, not ${url.host}.`,
    );
  }
  const target = headers.get('x-goog-cloud-target-resource');
  if (target !== audience && target !== `https:${audience}`) {
    throw new CallerIdentityRefused(
      'The x-goog-cloud-target-resource header does not name the audience of this exchange.',
    );
  }
  if (headers.get('host') !== url.host) {
    throw new CallerIdentityRefused('The host header is not the host of the request URL.');
  }
  let verified: SigV4Verified<AwsIdentity>;
  try {
    // GetCallerIdentity's serialized request carries no body.
    verified = verifySigV4(
      { method: request.method, url, headers: Object.fromEntries(headers), body: '' },
      // Whether STS wants the session token signed is not documented (see sigv4.ts); this
      // check accepts it either way, so a client that adds it after signing is not refused here.
      { service: 'sts', region, sessionTokenSigned: false },
      identities.values(),
      nowMs,
    );
  } catch (error) {
    if (!(error instanceof SigV4Refused)) throw error;
    throw new CallerIdentityRefused(`${error.message} (${error.code})`);
  }
  return {
    identity: verified.identity,
    shape: {
      url: request.url,
      method: request.method,
      headerNames: [...headers.keys()],
      signedHeaders: verified.signedHeaders.join(';'),
      accessKeyId: verified.identity.accessKeyId,
    },
  };
}
