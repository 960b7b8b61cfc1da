import * as vscode from 'vscode';
import { NO_OUTBOUND_PROXY, outboundProxyFromEnvironment } from '../../core/net/outboundProxy';
import type { OutboundProxy } from '../../core/net/outboundProxy';

/**
 * The proxy for outbound requests, read fresh at each call from VS Code's settings, as VS Code's
 * own resolver (microsoft/vscode-proxy-agent `src/index.ts`, `useProxySettings`) decides:
 * `http.proxySupport: off` means no proxy; `http.proxy` wins over the environment
 * (`HTTPS_PROXY`/`HTTP_PROXY`, read per scheme as curl and Go do); `http.noProxy` entries, when
 * there are any, replace `NO_PROXY`; `http.proxyAuthorization` is sent as `Proxy-Authorization`;
 * `http.proxyStrictSSL: false` stops certificate checks on proxied connections. These settings
 * are application-scoped in VS Code, so no workspace can set them.
 */
export function readOutboundProxy(
  env: (name: string) => string | undefined = (name) => process.env[name],
): OutboundProxy {
  const http = vscode.workspace.getConfiguration('http');
  if (http.get<string>('proxySupport') === 'off') {
    return { ...NO_OUTBOUND_PROXY, origin: 'the VS Code setting http.proxySupport (off)' };
  }
  const fromEnvironment = outboundProxyFromEnvironment(env);
  const listed = http.get<unknown>('noProxy');
  const noProxySetting = Array.isArray(listed)
    ? listed.filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '')
    : [];
  const authorization = http.get<unknown>('proxyAuthorization');
  const common = {
    strictSSL: http.get<boolean>('proxyStrictSSL') !== false,
    ...(typeof authorization === 'string' && authorization.trim() !== ''
      ? { authorization: authorization.trim() }
      : {}),
    ...(noProxySetting.length > 0
      ? { noProxy: noProxySetting, noProxyOrigin: 'the VS Code setting http.noProxy' }
      : {
          noProxy: fromEnvironment.noProxy,
          ...(fromEnvironment.noProxyOrigin
            ? { noProxyOrigin: fromEnvironment.noProxyOrigin }
            : {}),
        }),
  };
  const setting = http.get<unknown>('proxy');
  if (typeof setting === 'string' && setting.trim() !== '') {
    return {
      httpProxy: setting.trim(),
      httpsProxy: setting.trim(),
      origin: 'the VS Code setting http.proxy',
      ...common,
    };
  }
  return {
    ...(fromEnvironment.httpProxy ? { httpProxy: fromEnvironment.httpProxy } : {}),
    ...(fromEnvironment.httpsProxy ? { httpsProxy: fromEnvironment.httpsProxy } : {}),
    origin: fromEnvironment.origin,
    ...common,
  };
}
