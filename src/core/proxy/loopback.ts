/**
 * The headers a token can travel in. Cloud Run reads `X-Serverless-Authorization` before
 * `Authorization` and then passes `Authorization` on to the service
 * (https://cloud.google.com/run/docs/authenticating/service-to-service); IAP accepts
 * `Proxy-Authorization` when `Authorization` carries the application's own credentials
 * (https://cloud.google.com/iap/docs/authentication-howto). All three take `Bearer <token>`.
 */
export const TOKEN_HEADERS = [
  'Authorization',
  'X-Serverless-Authorization',
  'Proxy-Authorization',
] as const;

export type TokenHeader = (typeof TOKEN_HEADERS)[number];

/** The header value for a token: `Bearer <token>`, the same in each of the TOKEN_HEADERS. */
export function authHeaderValue(token: string): string {
  return `Bearer ${token}`;
}

/**
 * Whether a socket's remote address is this machine's loopback: 127.0.0.0/8 (RFC 1122
 * §3.2.1.3), `::1` (RFC 4291 §2.5.3), or either written as an IPv4-mapped IPv6 address.
 * A connection to 127.0.0.1 may come from another local address (e.g. the host's LAN address
 * as the source), which is not loopback and is refused.
 */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.toLowerCase().replace(/^::ffff:/, '');
  if (plain === '::1') return true;
  const octets = plain.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o));
}

/**
 * Whether a Host header (or URL host) names this machine: `localhost`, a `.localhost` name
 * (RFC 6761 §6.3), a 127/8 address or `[::1]`, with or without a port. Anything else reaching a
 * loopback listener came through DNS rebinding or a misconfiguration.
 */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  const name = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.split(':')[0];
  if (name === undefined || name === '') return false;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '[::1]') return true;
  return isLoopbackAddress(name);
}
