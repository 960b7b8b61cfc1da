import type { ProxyAgent } from 'undici';
import type { Fetch } from '../ports';
import { OutboundProxyError, proxyFailure, proxyFor } from './outboundProxy';
import type { OutboundProxy, ProxyRoute } from './outboundProxy';

/** TLS options of the connection to the target, when it is not the default trust. */
export interface TargetTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
  readonly rejectUnauthorized?: boolean;
}

/**
 * An undici ProxyAgent for a route: `Proxy-Authorization` from the configuration (else the URL's
 * user:password, which undici sends as Basic), http targets forwarded with an absolute URI as
 * curl and Go do (`proxyTunnel: false`), https targets through a CONNECT tunnel. undici is loaded
 * on first use (a file of its own in the package), so without a proxy it is never read.
 */
export async function proxyAgent(route: ProxyRoute, tls: TargetTls = {}): Promise<ProxyAgent> {
  const { ProxyAgent } = await import('./undiciAgents');
  const lenient = route.config.strictSSL ? {} : { rejectUnauthorized: false };
  return new ProxyAgent({
    uri: route.proxy.href,
    ...(route.config.authorization ? { token: route.config.authorization } : {}),
    proxyTunnel: false,
    requestTls: { ...tls, ...lenient },
    // Only for an https:// proxy: undici's SOCKS5 agent takes any proxyTls as "TLS to the proxy".
    ...(route.proxy.protocol === 'https:' ? { proxyTls: lenient } : {}),
  });
}

/** How many proxy agents stay open (one per proxy URL and credentials seen recently). */
const KEPT_AGENTS = 4;

/**
 * A fetch that sends each request through the proxy the configuration gives for its URL (read
 * at every call, so a changed setting applies to the next request), as a `dispatcher` of Node's
 * fetch; a request without a proxy goes to `base` unchanged. A failure of the proxy itself
 * (unreachable, 407, tunnel refused) rejects as fetch does, a TypeError whose `cause` is an
 * {@link OutboundProxyError} naming the proxy and its setting.
 */
export function proxiedFetch(base: Fetch, current: () => OutboundProxy): Fetch {
  const agents = new Map<string, Promise<ProxyAgent>>();
  const agentFor = (route: ProxyRoute): Promise<ProxyAgent> => {
    const key = JSON.stringify([
      route.proxy.href,
      route.config.authorization ?? '',
      route.config.strictSSL,
    ]);
    let agent = agents.get(key);
    if (!agent) {
      agent = proxyAgent(route);
      agents.set(key, agent);
      for (const [old, evicted] of agents) {
        if (agents.size <= KEPT_AGENTS) break;
        agents.delete(old);
        void evicted.then((a) => a.close()).catch(() => undefined);
      }
    }
    return agent;
  };
  return async (input, init) => {
    const target = new URL(input);
    let route: ProxyRoute | undefined;
    try {
      route = proxyFor(target, current());
    } catch (error) {
      throw new TypeError('fetch failed', { cause: error });
    }
    if (!route) return base(input, init);
    const dispatcher = await agentFor(route);
    try {
      // Node's fetch takes an undici Dispatcher; undici's and Node's type copies differ in name only.
      return await base(input, Object.assign({}, init, { dispatcher }));
    } catch (error) {
      const explained =
        error instanceof OutboundProxyError ? error : proxyFailure(error, route, target);
      if (!explained) throw error;
      throw new TypeError('fetch failed', { cause: explained });
    }
  };
}
