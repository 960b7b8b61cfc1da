// The wire format of STS GetWebIdentityToken (AWS Query protocol), shared by the native path and
// the settings checks. Facts from https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html
// (parameters, bounds, response, errors) and the Query protocol's form body / XML shapes
// (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html).
import { TokenExplorerError } from '../../errors';

/** The two signing algorithms STS offers ("RS256 (RSA with SHA-256) and ES384 (ECDSA P-384)"). */
export const SIGNING_ALGORITHMS = ['RS256', 'ES384'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Audience.member.N: 1 to 10 items, each 1 to 1000 characters. */
export const MAX_AUDIENCES = 10;
export const MAX_AUDIENCE_LENGTH = 1000;
/** DurationSeconds: 60 to 3600; 300 when not given. */
export const MIN_DURATION = 60;
export const MAX_DURATION = 3600;
/** Tags.member.N: at most 50 tags; an STS Tag's key is 1-128 characters, its value 0-256. */
export const MAX_TAGS = 50;
export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;

/** What a GetWebIdentityToken call asks for. */
export interface WebIdentityTokenRequest {
  readonly audiences: readonly string[];
  readonly signingAlgorithm: SigningAlgorithm;
  readonly durationSeconds?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** The `application/x-www-form-urlencoded` body of the Query API call. */
export function queryBody(request: WebIdentityTokenRequest): string {
  const form = new URLSearchParams({ Action: 'GetWebIdentityToken', Version: '2011-06-15' });
  request.audiences.forEach((aud, i) => form.append(`Audience.member.${i + 1}`, aud));
  form.append('SigningAlgorithm', request.signingAlgorithm);
  if (request.durationSeconds !== undefined) {
    form.append('DurationSeconds', String(request.durationSeconds));
  }
  Object.entries(request.tags).forEach(([key, value], i) => {
    form.append(`Tags.member.${i + 1}.Key`, key);
    form.append(`Tags.member.${i + 1}.Value`, value);
  });
  return form.toString();
}

/**
 * The regional STS endpoint (`https://sts.REGION.amazonaws.com`, `.amazonaws.com.cn` in the China
 * regions): GetWebIdentityToken "is not available on the STS Global endpoint".
 */
export function regionalEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** XML text with its five predefined entities and numeric references decoded. */
function xmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** The text of the first `<name>…</name>` element (no nesting inside), if any. Linear. */
export function xmlElement(xml: string, name: string): string | undefined {
  const open = `<${name}>`;
  const start = xml.indexOf(open);
  if (start === -1) return undefined;
  const end = xml.indexOf(`</${name}>`, start + open.length);
  if (end === -1) return undefined;
  return xmlText(xml.slice(start + open.length, end)).trim();
}

/** An STS error (`<ErrorResponse><Error><Code>…`), as the message and the code. */
export interface StsError {
  readonly code: string;
  readonly message: string;
}

/** The Query protocol's error in a body, if it holds one. */
export function stsError(body: string): StsError | undefined {
  const code = xmlElement(body, 'Code');
  if (!code) return undefined;
  return { code, message: xmlElement(body, 'Message') ?? '' };
}

/**
 * The token and expiry of a `GetWebIdentityTokenResponse`.
 * @throws TokenExplorerError `bad-response` when either is missing.
 */
export function webIdentityTokenResult(body: string): { token: string; expiration?: string } {
  const token = xmlElement(body, 'WebIdentityToken');
  if (!token) {
    throw new TokenExplorerError(
      'bad-response',
      'STS answered GetWebIdentityToken without a WebIdentityToken element: the endpoint may not be AWS STS (check the endpoint URL), or a proxy changed the answer.',
    );
  }
  const expiration = xmlElement(body, 'Expiration');
  return { token, ...(expiration ? { expiration } : {}) };
}
