import * as vscode from 'vscode';
import { COPY_FORMS } from '../../core/call/headerForms';
import { HEADER_NAMES } from '../../core/call/send';
import { parseServiceUrl, tokenTransport } from '../../core/call/target';
import type { CallRequest, HeaderForm, ServiceKind } from '../../core/call/types';
import { TokenExplorerError } from '../../core/errors';
import { inert } from '../views/untrusted';
import { quickPickAnswer } from './quickPickAnswer';

// The questions Call Service and Check Against a URL ask; callService.ts holds the commands.

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Asks for a URL: recent ones for this audience, the audience itself when it is a URL, or typed. */
export async function pickUrl(
  recent: readonly string[],
  audience: string | undefined,
  title: string,
): Promise<string | undefined> {
  const known = [
    ...new Set([...recent, ...(audience && /^https?:\/\//i.test(audience) ? [audience] : [])]),
  ];
  const quickPick = vscode.window.createQuickPick();
  quickPick.title = title;
  quickPick.placeholder = 'The URL to call, e.g. https://my-service-abc123-uc.a.run.app/path';
  quickPick.ignoreFocusOut = true;
  // The audience comes from the token: a quick pick renders "$(icon)" in labels, so each label
  // is shown inert (untrusted.ts) and mapped back to the URL it stands for.
  const urlOf = new Map<string, string>();
  const item = (url: string, description: string): vscode.QuickPickItem => {
    const label = inert(url);
    urlOf.set(label, url);
    return { label, description };
  };
  const base = known.map((url) => item(url, url === audience ? 'the audience' : 'recent'));
  const render = (value: string) => {
    const typed = value.trim();
    quickPick.items =
      typed !== '' && !known.includes(typed) ? [item(typed, 'this URL'), ...base] : base;
  };
  render('');
  const chosen = await quickPickAnswer(quickPick, render, (answer) => answer !== '');
  return chosen === undefined ? undefined : (urlOf.get(chosen) ?? chosen);
}

/** `Name: value; Name2: value2` → headers; the token's own header is refused. */
function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const colon = part.indexOf(':');
    if (colon <= 0) {
      throw new TokenExplorerError(
        'bad-config',
        `"${part.trim().slice(0, 60)}" is not a header: write Name: value, separated by ";".`,
      );
    }
    headers[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  return headers;
}

/** Asks method, URL, header form, extra headers and body; undefined when the user cancels. */
export async function askRequest(
  recent: readonly string[],
  audience: string | undefined,
): Promise<CallRequest | undefined> {
  const url = await pickUrl(recent, audience, 'Call Service: URL');
  if (url === undefined) return undefined;
  parseServiceUrl(url);
  const method = await vscode.window.showQuickPick(METHODS, {
    title: 'Call Service: method',
    placeHolder: 'HTTP method',
  });
  if (!method) return undefined;
  const form = await vscode.window.showQuickPick(
    COPY_FORMS.filter((f) => f.form in HEADER_NAMES).map((f) => ({
      label: HEADER_NAMES[f.form as HeaderForm],
      detail: f.detail,
      form: f.form as HeaderForm,
    })),
    { title: 'Call Service: send the token in', placeHolder: 'Which header carries the token?' },
  );
  if (!form) return undefined;
  const headerText = await vscode.window.showInputBox({
    title: 'Call Service: extra headers (optional)',
    prompt: 'Name: value pairs separated by ";", e.g. Accept: application/json; X-Request-Id: 42',
    ignoreFocusOut: true,
  });
  if (headerText === undefined) return undefined;
  const headers = parseHeaders(headerText);
  let body: string | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    body = await vscode.window.showInputBox({
      title: 'Call Service: body (optional)',
      prompt: 'Request body as text (JSON, form data…); empty for none',
      ignoreFocusOut: true,
    });
    if (body === undefined) return undefined;
  }
  return {
    method,
    url,
    headerForm: form.form,
    headers,
    ...(body ? { body } : {}),
  };
}

/**
 * Plain http to anything but loopback needs an explicit yes, every time: the token would cross
 * the network readable by anyone on the path.
 */
export async function confirmTransport(url: URL): Promise<boolean> {
  if (tokenTransport(url) !== 'needs-confirmation') return true;
  const send = 'Send over http';
  const choice = await vscode.window.showWarningMessage(
    `${url.host} is plain http: the token would travel unencrypted and anyone on the network path could read and reuse it until it expires.`,
    { modal: true, detail: 'Use https if the service has it. Asked each time.' },
    send,
  );
  return choice === send;
}

export const KINDS: readonly { service: ServiceKind | undefined; label: string; detail: string }[] =
  [
    {
      service: undefined,
      label: 'Detect from the URL',
      detail: '*.run.app, *.cloudfunctions.net, else from the token',
    },
    {
      service: 'cloud-run',
      label: 'Cloud Run',
      detail: 'aud = the service URL or a custom audience; roles/run.invoker',
    },
    {
      service: 'cloud-functions',
      label: 'Cloud Functions',
      detail: 'aud = the function URL; roles/cloudfunctions.invoker',
    },
    {
      service: 'iap',
      label: 'Identity-Aware Proxy',
      detail: 'aud = the IAP OAuth client id; email required',
    },
    {
      service: 'oidc-api',
      label: 'Another OIDC-protected API',
      detail: 'aud = what the API expects (often its URL)',
    },
  ];
