import { ENTRA_ISSUER_HOSTS, own } from './family';
import type { Inspection } from './types';

/**
 * Audiences of Microsoft Graph access tokens in every cloud, as Microsoft lists them in
 * "Troubleshoot access token signature validation errors"
 * (https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/troubleshooting-signature-validation-errors).
 */
const GRAPH_AUDIENCES = new Set([
  '00000003-0000-0000-c000-000000000000',
  'https://graph.microsoft.com',
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn',
]);

/** The text without its trailing slashes (a loop: a regular expression would be quadratic). */
function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '/') end--;
  return text.slice(0, end);
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Why the signature of a Microsoft Graph access token cannot be checked by anyone but Graph, or
 * undefined for any other token. Such a token carries a `nonce` in its JWS header; Entra signs
 * the header with the SHA-256 of that nonce in its place, so the token as sent never matches its
 * signature under Entra's published keys (Microsoft's answer in
 * AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet issue 609; "Troubleshoot
 * access token signature validation errors": "Only Microsoft Graph can validate such token").
 * Recognised by the header `nonce` together with an Entra issuer or a Graph audience.
 */
export function graphSignatureExplanation(inspection: Inspection): string | undefined {
  const header = inspection.header;
  if (!header || typeof own(header, 'nonce') !== 'string') return undefined;
  const payload = inspection.payload ?? {};
  const iss = own(payload, 'iss');
  const entraIssuer = typeof iss === 'string' && ENTRA_ISSUER_HOSTS.has(hostOf(iss) ?? '');
  const audiences = [own(payload, 'aud')]
    .flat()
    .filter((aud): aud is string => typeof aud === 'string')
    .map((aud) => withoutTrailingSlashes(aud).toLowerCase());
  const graphAudience = audiences.some((aud) => GRAPH_AUDIENCES.has(aud));
  if (!entraIssuer && !graphAudience) return undefined;
  const what = graphAudience ? 'a Microsoft Graph access token' : 'a Microsoft Entra access token';
  return `This is ${what} with a "nonce" in its header. Entra signs such tokens over a hashed form of that nonce, so only Microsoft Graph can check the signature; with Entra's published keys it never matches, which does not mean the token was changed. To check a token for your own API, request one whose audience is your API (its Application ID URI or client id): those have no header nonce and verify normally.`;
}
