import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * AWS's side of a SigV4-signed HTTP request, written from the SigV4 documentation without a
 * signing library so that it checks the client's signer rather than repeat it:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (canonical request,
 * string to sign, signing key `AWS4`+secret → date → region → service → aws4_request), and the
 * 15-minute window of "Signature expired" (aws/aws-cli#6676).
 */

/** Credentials the emulated service knows. */
export interface SigV4Identity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials' token, which must come as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

/** Why a request was refused: the AWS error code, HTTP status and message. */
export class SigV4Refused extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SKEW_MS = 15 * 60_000;

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

function amzDateOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/**
 * Checks the Authorization header of a request with an empty query string, for `service` in
 * `region`; returns the identity that signed it.
 * @throws SigV4Refused with STS's code and words.
 */
export function verifySigV4(
  request: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer },
  expected: { service: string; region: string },
  identities: readonly SigV4Identity[],
  nowMs: number,
): SigV4Identity {
  const authorization =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      header(request.headers, 'authorization'),
    );
  if (!authorization) {
    throw new SigV4Refused(
      'MissingAuthenticationToken',
      403,
      'Request is missing Authentication Token',
    );
  }
  const [, accessKeyId, day, region, service, signedList, signature] = authorization as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const identity = identities.find((i) => i.accessKeyId === accessKeyId);
  if (!identity) {
    throw new SigV4Refused(
      'InvalidClientTokenId',
      403,
      'The security token included in the request is invalid.',
    );
  }
  const amzDate = header(request.headers, 'x-amz-date');
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || amzDate.slice(0, 8) !== day) {
    throw new SigV4Refused(
      'SignatureDoesNotMatch',
      403,
      'Credential should be scoped to a valid date in the x-amz-date header.',
    );
  }
  if (Math.abs(signedAt - nowMs) > SKEW_MS) {
    const late = signedAt < nowMs;
    throw new SigV4Refused(
      'SignatureDoesNotMatch',
      403,
      late
        ? `Signature expired: ${amzDate} is now earlier than ${amzDateOf(nowMs - SKEW_MS)} (${amzDateOf(nowMs)} - 15 min.)`
        : `Signature not yet current: ${amzDate} is still later than ${amzDateOf(nowMs + SKEW_MS)} (${amzDateOf(nowMs)} + 15 min.)`,
    );
  }
  if (region !== expected.region || service !== expected.service) {
    throw new SigV4Refused(
      'SignatureDoesNotMatch',
      403,
      `Credential should be scoped to a valid region. (the endpoint is ${expected.service} in ${expected.region}; the credential says ${service} in ${region})`,
    );
  }
  const signedHeaders = signedList.split(';');
  for (const required of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(required)) {
      throw new SigV4Refused(
        'SignatureDoesNotMatch',
        403,
        `The ${required} header must be signed.`,
      );
    }
  }
  if (identity.sessionToken !== undefined) {
    if (header(request.headers, 'x-amz-security-token') !== identity.sessionToken) {
      throw new SigV4Refused(
        'InvalidClientTokenId',
        403,
        'The security token included in the request is invalid.',
      );
    }
    if (!signedHeaders.includes('x-amz-security-token')) {
      throw new SigV4Refused(
        'SignatureDoesNotMatch',
        403,
        'The x-amz-security-token header must be signed.',
      );
    }
  }
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${header(request.headers, name).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    request.path || '/',
    '',
    canonicalHeaders,
    signedList,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${identity.secretAccessKey}`, day), region), service),
    'aws4_request',
  );
  if (!timingSafeEqual(hmac(key, stringToSign), Buffer.from(signature, 'hex'))) {
    throw new SigV4Refused(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return identity;
}
