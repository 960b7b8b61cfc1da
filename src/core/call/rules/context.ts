/** What the diagnosis rules share: the context each one sees and small helpers over claims. */
import type { Decoded } from '../../jwt/decode';
import type { DiagnosisInput, Finding, ServiceKind } from '../types';

/** What every rule sees: the input, the decoded token and the service kind. */
export interface RuleContext {
  readonly input: DiagnosisInput;
  readonly url: URL;
  readonly kind: ServiceKind;
  /** Undefined when the token is not a decodable JWS. */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly decoded: Decoded;
  /** Errors the token rules found (set before the response rules run). */
  readonly tokenFaults: number;
}

export type Rule = (ctx: RuleContext) => Finding[];

/** gcloud's own OAuth client: `aud` of `gcloud auth print-identity-token` for a user account. */
export const GCLOUD_CLIENT_ID = '32555940559.apps.googleusercontent.com';
export const GOOGLE_ISSUERS = new Set(['https://accounts.google.com', 'accounts.google.com']);
export const GOOGLE_KINDS = new Set<ServiceKind>(['cloud-run', 'cloud-functions', 'iap']);
export const OAUTH_CLIENT_ID = /^[0-9a-z-]+\.apps\.googleusercontent\.com$/;

export const KIND_LABEL: Record<ServiceKind, string> = {
  'cloud-run': 'Cloud Run',
  'cloud-functions': 'Cloud Functions',
  iap: 'IAP',
  'oidc-api': 'this API',
};

export function str(
  claims: Readonly<Record<string, unknown>> | undefined,
  name: string,
): string | undefined {
  const value = claims?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function audiences(claims: Readonly<Record<string, unknown>> | undefined): string[] {
  const aud = claims?.['aud'];
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

/** `aaaa…zzzz`: enough of a credential to recognise it, never the whole of it. */
export function glimpse(token: string): string {
  return token.length <= 12
    ? `${token.length} characters`
    : `${token.slice(0, 5)}…${token.slice(-3)}`;
}

export function tokenHint(kind: ServiceKind): string {
  return kind === 'iap'
    ? 'Get an ID token whose audience is the IAP OAuth client id (Get ID Token → audience preset "IAP OAuth client id").'
    : kind === 'oidc-api'
      ? 'Get an ID token (a JWT) with the audience this API expects.'
      : `Get an ID token whose audience is the service URL (Get ID Token, or \`gcloud auth print-identity-token --audiences=${'URL'}\`).`;
}
