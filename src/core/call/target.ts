import { TokenExplorerError } from '../errors';
import type { CallResponse, ServiceKind } from './types';

/** How a token may travel to a URL: see {@link tokenTransport}. */
export type Transport = 'https' | 'loopback-http' | 'needs-confirmation';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/** True for 127.0.0.0/8, ::1 and localhost (RFC 6761 §6.3: localhost names the loopback). */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return (
    LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * Parses an absolute http(s) URL.
 * @throws TokenExplorerError `bad-config` with `notUrl`, or with `notHttp(url.protocol)` for
 * another scheme.
 */
export function parseHttpUrl(
  text: string,
  notUrl: string,
  notHttp: (protocol: string) => string,
): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new TokenExplorerError('bad-config', notUrl);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TokenExplorerError('bad-config', notHttp(url.protocol));
  }
  return url;
}

/**
 * Parses the URL a token is about to be sent to.
 * @throws TokenExplorerError `bad-config` when it is not an absolute http(s) URL, or carries a
 * user name or password (which would travel alongside the token).
 */
export function parseServiceUrl(text: string): URL {
  const url = parseHttpUrl(
    text,
    `"${text.trim().slice(0, 200)}" is not a URL. Type an absolute URL such as https://my-service-abc123-uc.a.run.app/path.`,
    (protocol) =>
      `Call Service sends requests over http(s) only, not ${protocol.replace(':', '')}.`,
  );
  if (url.username || url.password) {
    throw new TokenExplorerError(
      'bad-config',
      'The URL holds a user name or password; remove them (the token is the credential).',
    );
  }
  return url;
}

/**
 * Whether a token may be sent to this URL without asking: https anywhere, http only to the
 * loopback interface (nothing leaves the machine); anything else needs the user's confirmation,
 * each time, because the token would cross the network in clear text.
 */
export function tokenTransport(url: URL): Transport {
  if (url.protocol === 'https:') return 'https';
  return isLoopback(url) ? 'loopback-http' : 'needs-confirmation';
}

/**
 * The front end a URL sits behind. Explicit choice first; then the response: IAP marks its own
 * answers with `x-goog-iap-generated-response: true` (seen in IAP 401s, GoogleCloudPlatform/esp-v2
 * issue #171); then the host name (`*.run.app` for Cloud Run, `*.cloudfunctions.net` for Cloud
 * Functions); then the token: an audience shaped like an OAuth web client id
 * (`NUMBER-ID.apps.googleusercontent.com`, which IAP's clients are; gcloud's own is digits only)
 * means IAP, whose successful answers come from the app and carry no IAP mark; then
 * `server: Google Frontend` (what Cloud Run's front end sends) counts as Cloud Run; anything else
 * is a plain OIDC-protected API.
 */
export function detectServiceKind(
  url: URL,
  response?: CallResponse,
  explicit?: ServiceKind,
  audiences: readonly string[] = [],
): ServiceKind {
  if (explicit) return explicit;
  if (response?.headers['x-goog-iap-generated-response']?.trim().toLowerCase() === 'true') {
    return 'iap';
  }
  const host = url.hostname.toLowerCase();
  if (host.endsWith('.run.app')) return 'cloud-run';
  if (host.endsWith('.cloudfunctions.net')) return 'cloud-functions';
  if (audiences.some((aud) => /^\d+-[0-9a-z]+\.apps\.googleusercontent\.com$/.test(aud))) {
    return 'iap';
  }
  if (response?.headers['server']?.trim() === 'Google Frontend') return 'cloud-run';
  return 'oidc-api';
}

/** What a Cloud Run or Cloud Functions URL says about the service, for the IAM command. */
export interface ServiceCoordinates {
  readonly service?: string;
  readonly region?: string;
  readonly project?: string;
}

/**
 * Reads a Cloud Run URL (`https://SERVICE-PROJECT_NUMBER.REGION.run.app`, the deterministic form,
 * or the older `https://SERVICE-HASH-REGIONCODE.a.run.app`, whose region code is an abbreviation)
 * or a Cloud Functions URL (`https://REGION-PROJECT.cloudfunctions.net/FUNCTION`).
 * Source: cloud.google.com/run/docs/triggering/https-request (URL forms).
 */
export function serviceCoordinates(url: URL): ServiceCoordinates {
  const host = url.hostname.toLowerCase();
  const deterministic = /^([a-z0-9-]+)-\d+\.([a-z]+-[a-z]+\d+)\.run\.app$/.exec(host);
  if (deterministic) return { service: deterministic[1], region: deterministic[2] };
  const legacy = /^([a-z0-9-]+)-[a-z0-9]+-[a-z]{2}\.a\.run\.app$/.exec(host);
  if (legacy) return { service: legacy[1] };
  const functions = /^([a-z]+-[a-z]+\d+)-([a-z0-9-]+)\.cloudfunctions\.net$/.exec(host);
  if (functions) {
    const name = url.pathname.split('/').filter(Boolean)[0];
    return { region: functions[1], project: functions[2], ...(name ? { service: name } : {}) };
  }
  return {};
}
