import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * AWS's side of a SigV4-signed HTTP request (Authorization header form), written from the SigV4
 * documentation without a signing library so that it checks the client's signer rather than
 * repeat it. The one verifier of the emulators: the AWS STS emulator (`stsServer.ts`) and the
 * check Google's STS has AWS make of a GetCallerIdentity subject token
 * (`google/awsCallerIdentity.ts`). Sources:
 * - https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html: the canonical
 *   request (method, URI, query with RFC 3986-encoded names and values sorted by name, headers
 *   lower-cased with values trimmed and inner spaces folded, signed header list, hex SHA-256 of the
 *   body), the string to sign (`AWS4-HMAC-SHA256`, `x-amz-date`, scope, hash of the canonical
 *   request), the signing key `AWS4`+secret → date → region → service → `aws4_request`, and the
 *   Authorization header `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`;
 * - the same page on temporary credentials: "some services require that you include
 *   X-Amz-Security-Token in the canonical (signed) request. For other services, you add
 *   X-Amz-Security-Token at the end, after you calculate the signature" ({@link
 *   SigV4Scope.sessionTokenSigned});
 * - "Signature expired" / "Signature not yet current" outside 15 minutes of the service's clock,
 *   in the words STS answers with (aws/aws-cli#6676: "Signature expired: 20220127T001427Z is now
 *   earlier than 20220127T014428Z (20220127T015928Z - 15 min.)");
 * - the other refusals in STS's codes and words (STS API Reference, Common Errors:
 *   MissingAuthenticationToken, InvalidClientTokenId, SignatureDoesNotMatch).
 */

/** Credentials the emulated service knows. */
export interface SigV4Identity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials' token, which must come as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

/** The request as the service received it. Header names are lower case. */
export interface SigV4Request {
  readonly method: string;
  /** Its URL: the path and query string are signed. */
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: string | Buffer;
}

/** Where the request was sent: the scope its credential must name. */
export interface SigV4Scope {
  readonly service: string;
  readonly region: string;
  /** Whether a session token must be among the signed headers (the service's choice). */
  readonly sessionTokenSigned: boolean;
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

/** The ±15 minutes AWS allows between `x-amz-date` and its clock. */
const SKEW_MS = 15 * 60_000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
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

const refused = (code: string, message: string): SigV4Refused =>
  new SigV4Refused(code, 403, message);

/** A request that passed: who signed it and the headers it signed (lower case, in order). */
export interface SigV4Verified<T extends SigV4Identity> {
  readonly identity: T;
  readonly signedHeaders: readonly string[];
}

/**
 * Checks the Authorization header of `request` for `scope` against the service's clock `nowMs`.
 * @throws SigV4Refused with STS's code and words.
 */
export function verifySigV4<T extends SigV4Identity>(
  request: SigV4Request,
  scope: SigV4Scope,
  identities: Iterable<T>,
  nowMs: number,
): SigV4Verified<T> {
  const header = (name: string): string => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : (value?.join(',') ?? '');
  };
  const authorization = AUTHORIZATION.exec(header('authorization'));
  if (!authorization) {
    throw refused('MissingAuthenticationToken', 'Request is missing Authentication Token');
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
  const invalidToken = 'The security token included in the request is invalid.';
  const identity = [...identities].find((i) => i.accessKeyId === accessKeyId);
  if (!identity) throw refused('InvalidClientTokenId', invalidToken);
  const amzDate = header('x-amz-date');
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || amzDate.slice(0, 8) !== day) {
    throw refused(
      'SignatureDoesNotMatch',
      'Credential should be scoped to a valid date in the x-amz-date header.',
    );
  }
  if (Math.abs(signedAt - nowMs) > SKEW_MS) {
    const late = signedAt < nowMs;
    throw refused(
      'SignatureDoesNotMatch',
      late
        ? `Signature expired: ${amzDate} is now earlier than ${amzDateOf(nowMs - SKEW_MS)} (${amzDateOf(nowMs)} - 15 min.)`
        : `Signature not yet current: ${amzDate} is still later than ${amzDateOf(nowMs + SKEW_MS)} (${amzDateOf(nowMs)} + 15 min.)`,
    );
  }
  if (region !== scope.region || service !== scope.service) {
    throw refused(
      'SignatureDoesNotMatch',
      `Credential should be scoped to a valid region. (the endpoint is ${scope.service} in ${scope.region}; the credential says ${service} in ${region})`,
    );
  }
  const signedHeaders = signedList.split(';');
  const mustBeSigned = ['host', 'x-amz-date'];
  if (identity.sessionToken !== undefined) {
    if (header('x-amz-security-token') !== identity.sessionToken) {
      throw refused('InvalidClientTokenId', invalidToken);
    }
    if (scope.sessionTokenSigned) mustBeSigned.push('x-amz-security-token');
  }
  for (const required of mustBeSigned) {
    if (!signedHeaders.includes(required)) {
      throw refused('SignatureDoesNotMatch', `The ${required} header must be signed.`);
    }
  }
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${header(name).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    request.url.pathname || '/',
    canonicalQuery(request.url),
    canonicalHeaders,
    signedList,
    sha256Hex(request.body),
  ].join('\n');
  const credentialScope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    credentialScope,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${identity.secretAccessKey}`, day), region), service),
    'aws4_request',
  );
  if (!timingSafeEqual(hmac(key, stringToSign), Buffer.from(signature, 'hex'))) {
    throw refused(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { identity, signedHeaders };
}
