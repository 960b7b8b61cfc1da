import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What Google's STS does with an AWS subject token (`subject_token_type
 * urn:ietf:params:aws:token-type:aws4_request`): it decodes the serialized, signed
 * GetCallerIdentity request and has AWS check it. This module is AWS's side of that check,
 * written from the SigV4 documentation without a signing library, so that it checks the
 * provider's library rather than repeat it:
 * - token layout: google-auth-library src/auth/awsclient.ts `retrieveSubjectToken` (URL-encoded
 *   JSON `{url, method, headers: [{key, value}]}`) and
 *   https://cloud.google.com/iam/docs/workload-identity-federation-with-other-clouds#rest
 *   ("the serialized GetCallerIdentity request"; `x-goog-cloud-target-resource` is the provider's
 *   full resource name);
 * - SigV4: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (canonical
 *   request, string to sign, signing key `AWS4`+secret → date → region → service → aws4_request);
 * - "Signature expired" / "Signature not yet current" outside 15 minutes of AWS STS's clock, in
 *   the words STS answers GetCallerIdentity with (aws/aws-cli#6676: "Signature expired:
 *   20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)";
 *   "Signature not yet current: … is still later than … (… + 15 min.)" quoted in user reports);
 * - the regional STS endpoint `sts.REGION.amazonaws.com` (awsclient.ts: "Use the required
 *   regional endpoint. Otherwise, the request will fail.").
 */

/** AWS credentials STS knows, and who they are. */
export interface AwsIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials' token, which must come as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

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

/** The ±15 minutes AWS STS allows between `x-amz-date` and its clock. */
const SKEW_MS = 15 * 60_000;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept). */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(url: URL): string {
  return [...url.searchParams]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function amzDateOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

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
  const authorization =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      headers.get('authorization') ?? '',
    );
  if (!authorization) {
    throw new CallerIdentityRefused('The request has no AWS4-HMAC-SHA256 Authorization header.');
  }
  const [, accessKeyId, day, scopeRegion, service, signedList, signature] =
    authorization as unknown as [string, string, string, string, string, string, string];
  const identity = identities.get(accessKeyId);
  if (!identity) {
    throw new CallerIdentityRefused(
      'The security token included in the request is invalid. (InvalidClientTokenId)',
    );
  }
  const amzDate = headers.get('x-amz-date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || amzDate.slice(0, 8) !== day) {
    throw new CallerIdentityRefused(
      'Credential should be scoped to a valid date in the x-amz-date header. (SignatureDoesNotMatch)',
    );
  }
  if (signedAt < nowMs - SKEW_MS || signedAt > nowMs + SKEW_MS) {
    const late = signedAt < nowMs - SKEW_MS;
    const bound = amzDateOf(late ? nowMs - SKEW_MS : nowMs + SKEW_MS);
    throw new CallerIdentityRefused(
      late
        ? `Signature expired: ${amzDate} is now earlier than ${bound} (${amzDateOf(nowMs)} - 15 min.) (SignatureDoesNotMatch)`
        : `Signature not yet current: ${amzDate} is still later than ${bound} (${amzDateOf(nowMs)} + 15 min.) (SignatureDoesNotMatch)`,
    );
  }
  if (scopeRegion !== region || service !== 'sts') {
    throw new CallerIdentityRefused(
      `Credential should be scoped to a valid region and service: the endpoint is sts in ${region}, the credential says ${service} in ${scopeRegion}. (SignatureDoesNotMatch)`,
    );
  }
  const signedHeaders = signedList.split(';');
  for (const required of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(required)) {
      throw new CallerIdentityRefused(
        `The ${required} header must be signed. (SignatureDoesNotMatch)`,
      );
    }
  }
  if (identity.sessionToken !== undefined) {
    if (headers.get('x-amz-security-token') !== identity.sessionToken) {
      throw new CallerIdentityRefused(
        'The security token included in the request is invalid. (InvalidClientTokenId)',
      );
    }
  }
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(headers.get(name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    'POST',
    url.pathname || '/',
    canonicalQuery(url),
    canonicalHeaders,
    signedList,
    sha256Hex(''),
  ].join('\n');
  const scope = `${day}/${region}/sts/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${identity.secretAccessKey}`, day), region), 'sts'),
    'aws4_request',
  );
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    throw new CallerIdentityRefused(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. (SignatureDoesNotMatch)',
    );
  }
  return {
    identity,
    shape: {
      url: request.url,
      method: request.method,
      headerNames: [...headers.keys()],
      signedHeaders: signedList,
      accessKeyId,
    },
  };
}
