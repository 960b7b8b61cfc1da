import { BlockList, isIP } from 'node:net';

/**
 * The proxy that outbound HTTP(S) requests take (not `src/core/proxy`, our local authenticating
 * proxy). The adapter decides it from VS Code's settings or the environment; the core only reads
 * it. `authorization` is a secret (a `Proxy-Authorization` value): it never goes into a message.
 */
export interface OutboundProxy {
  /** Proxy URL for `http://` targets. */
  readonly httpProxy?: string;
  /** Proxy URL for `https://` targets. */
  readonly httpsProxy?: string;
  /** NO_PROXY entries: host names (suffixes), `*`, `host:port`, IP addresses and CIDR ranges. */
  readonly noProxy: readonly string[];
  /** Whether TLS certificates are checked on proxied connections (`http.proxyStrictSSL`). */
  readonly strictSSL: boolean;
  /** `Proxy-Authorization` header value (`http.proxyAuthorization`); wins over URL user:password. */
  readonly authorization?: string;
  /** Where the proxy comes from, for messages, e.g. `the VS Code setting http.proxy`. */
  readonly origin: string;
  /** Where the bypass list comes from, for messages. */
  readonly noProxyOrigin?: string;
  /** What to do about a 407; default: the VS Code setting http.proxyAuthorization or URL user:password. */
  readonly authorizationAdvice?: string;
}

export const NO_OUTBOUND_PROXY: OutboundProxy = {
  noProxy: [],
  strictSSL: true,
  origin: 'no proxy configured',
};

/** The proxy one request takes. */
export interface ProxyRoute {
  readonly proxy: URL;
  readonly config: OutboundProxy;
}

/**
 * The proxy settings of the environment, as curl, Go's net/http (client-go) and undici's
 * EnvHttpProxyAgent read them: `https_proxy`/`HTTPS_PROXY` for https targets,
 * `http_proxy`/`HTTP_PROXY` for http targets (the lower-case name wins), `no_proxy`/`NO_PROXY`
 * comma- or space-separated.
 */
export function outboundProxyFromEnvironment(
  get: (name: string) => string | undefined,
): OutboundProxy {
  const pick = (name: string): { value: string; name: string } | undefined => {
    for (const candidate of [name.toLowerCase(), name.toUpperCase()]) {
      const value = get(candidate)?.trim();
      if (value) return { value, name: candidate };
    }
    return undefined;
  };
  const https = pick('https_proxy');
  const http = pick('http_proxy');
  const noProxy = pick('no_proxy');
  const names = [https?.name, http?.name].filter(Boolean).join(' / ');
  return {
    ...(https ? { httpsProxy: https.value } : {}),
    ...(http ? { httpProxy: http.value } : {}),
    noProxy: noProxy ? splitNoProxy(noProxy.value) : [],
    strictSSL: true,
    origin: names ? `the environment variable ${names}` : 'no proxy configured',
    ...(noProxy ? { noProxyOrigin: `the environment variable ${noProxy.name}` } : {}),
  };
}

/** NO_PROXY's entries: separated by commas or white space, empty ones dropped. */
export function splitNoProxy(value: string): string[] {
  return value.split(/[\s,]+/).filter((entry) => entry !== '');
}

/** localhost, `*.localhost`, 127.0.0.0/8, ::1 and IPv4-mapped loopback: never proxied. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || /^0*:(0*:){0,6}0*1$/.test(host)) return true;
  const v4 = /^(?:::ffff:)?(\d+)\.\d+\.\d+\.\d+$/.exec(host);
  return v4 !== null && v4[1] === '127';
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/** One NO_PROXY entry against a host and port. */
function bypassedBy(entry: string, host: string, port: string): boolean {
  let name = entry.trim().toLowerCase();
  if (name === '*') return true;
  let entryPort: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(name);
  if (bracketed) {
    name = bracketed[1] ?? '';
    entryPort = bracketed[2];
  } else if (isIP(name) !== 6) {
    const withPort = /^(.*):(\d+)$/.exec(name);
    if (withPort) {
      name = withPort[1] ?? '';
      entryPort = withPort[2];
    }
  }
  if (entryPort !== undefined && entryPort !== port) return false;
  const slash = name.indexOf('/');
  if (slash > 0) {
    const family = isIP(host);
    const base = name.slice(0, slash);
    const bits = Number(name.slice(slash + 1));
    const baseFamily = isIP(base);
    if (family === 0 || family !== baseFamily || !Number.isInteger(bits)) return false;
    const list = new BlockList();
    try {
      list.addSubnet(base, bits, baseFamily === 6 ? 'ipv6' : 'ipv4');
    } catch {
      return false;
    }
    return list.check(host, family === 6 ? 'ipv6' : 'ipv4');
  }
  // curl (since 7.86) and Go: a leading "." or "*." means the same as the bare name, which
  // matches the host itself and every name under it.
  name = name.replace(/^\*?\.+/, '');
  if (name === '') return false;
  return host === name || host.endsWith(`.${name}`);
}

/**
 * Whether NO_PROXY sends a request to `url` directly: `*`, a host name matching the host or a
 * parent domain (`example.com`, `.example.com` and `*.example.com` all match `a.example.com` and
 * `example.com`), `host:port` for one port only, IP addresses and CIDR ranges (`10.0.0.0/8`).
 * Linear in the list's length.
 */
export function bypassesProxy(url: URL, noProxy: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || defaultPort(url.protocol);
  return noProxy.some((entry) => bypassedBy(entry, host, port));
}

/**
 * The proxy a request to `url` goes through, or undefined to go directly: loopback hosts never
 * take a proxy (as VS Code's proxy resolver and Go's ProxyFromEnvironment); NO_PROXY entries
 * bypass it. A proxy value without a scheme is taken as `http://` (curl and Go do so).
 */
export function proxyFor(url: URL, config: OutboundProxy): ProxyRoute | undefined {
  const value = url.protocol === 'https:' ? config.httpsProxy : config.httpProxy;
  if (!value || isLoopbackHost(url.hostname) || bypassesProxy(url, config.noProxy)) {
    return undefined;
  }
  return { proxy: parseProxyUrl(value, config.origin), config };
}

/** The proxy URL, with `http://` added when it has no scheme. */
export function parseProxyUrl(value: string, origin: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OutboundProxyError(
      'ERR_PROXY_CONFIG',
      `the proxy address in ${origin} is not a URL; write it as http://host:port`,
    );
  }
  if (!['http:', 'https:', 'socks5:', 'socks:'].includes(url.protocol)) {
    throw new OutboundProxyError(
      'ERR_PROXY_CONFIG',
      `the proxy address in ${origin} has the scheme "${url.protocol.slice(0, -1)}"; use http://, https:// or socks5://`,
    );
  }
  return url;
}

/** The proxy URL for messages: no user name or password. */
export function shownProxy(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/**
 * Why a request through a proxy failed, with what to do. `code` tells the retry logic and the
 * message layer what happened: `ERR_PROXY_UNREACHABLE` (connecting to the proxy failed),
 * `ERR_PROXY_AUTHENTICATION` (407), `ERR_PROXY_TUNNEL` (the proxy would not connect to the
 * target), `ERR_PROXY_CONFIG` (the setting is not usable).
 */
export class OutboundProxyError extends Error {
  constructor(
    readonly code:
      | 'ERR_PROXY_UNREACHABLE'
      | 'ERR_PROXY_AUTHENTICATION'
      | 'ERR_PROXY_TUNNEL'
      | 'ERR_PROXY_CONFIG',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundProxyError';
  }
}

const SOCKET_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the proxy running, and is the port right?)',
  ENOTFOUND: 'its host name could not be resolved',
  EAI_AGAIN: 'its host name could not be resolved',
  ECONNRESET: 'the proxy reset the connection',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'it cannot be reached from this computer',
  ENETUNREACH: 'it cannot be reached from this computer',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the proxy closed the connection',
};

function causeChain(error: unknown): { code?: string; message: string }[] {
  const chain: { code?: string; message: string }[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    chain.push({ message: current.message, ...(typeof code === 'string' ? { code } : {}) });
    current = current.cause;
  }
  return chain;
}

/**
 * Explains a failure of a request that went through `route`, naming the proxy and where it was
 * configured (never the credentials); undefined when the failure is not the proxy's (e.g. the
 * target's certificate, which the caller explains).
 */
export function proxyFailure(
  error: unknown,
  route: ProxyRoute,
  target: URL,
): OutboundProxyError | undefined {
  const proxy = `the proxy ${shownProxy(route.proxy)} (from ${route.config.origin})`;
  for (const { code, message } of causeChain(error)) {
    const status = /Proxy response \((\d{3})\)|Proxy Authentication Required \((\d{3})\)/.exec(
      message,
    );
    const answered = status?.[1] ?? status?.[2];
    if (answered === '407') {
      const sent = route.config.authorization
        ? 'rejected the credentials of the VS Code setting http.proxyAuthorization'
        : route.proxy.username
          ? 'rejected the user name and password in the proxy URL'
          : 'asks for credentials';
      const advice =
        route.config.authorizationAdvice ??
        'Set the VS Code setting http.proxyAuthorization to the Proxy-Authorization value your proxy expects (e.g. "Basic " and the base64 of user:password), or put user:password@ in the proxy URL';
      return new OutboundProxyError(
        'ERR_PROXY_AUTHENTICATION',
        `${proxy} ${sent} (HTTP 407 Proxy Authentication Required). ${advice}`,
        { cause: error },
      );
    }
    if (answered) {
      return new OutboundProxyError(
        'ERR_PROXY_TUNNEL',
        `${proxy} would not connect to ${target.host} (it answered HTTP ${answered}); the proxy may block this host, or the host is down`,
        { cause: error },
      );
    }
    const reason = code ? SOCKET_REASONS[code] : undefined;
    if (reason) {
      return new OutboundProxyError(
        'ERR_PROXY_UNREACHABLE',
        `${proxy} could not be reached: ${reason}. Check the proxy address in ${route.config.origin}, or add ${target.hostname} to ${route.config.noProxyOrigin ?? 'the proxy bypass list (http.noProxy or NO_PROXY)'} to go directly`,
        { cause: error },
      );
    }
  }
  return undefined;
}
