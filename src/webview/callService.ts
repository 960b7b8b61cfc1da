/**
 * The Call Service section of the inspector: the request, the response (status, timing, the
 * headers that matter, the start of the body as plain text) and the findings with their evidence,
 * fix and copyable command. Everything from the host or the service is set with textContent.
 */
import type { CallResponse, Finding, Severity } from '../core/call/types';
import type { CallView } from '../shared/protocol';
import { byId, dataEl, el, icon } from './dom';

const SEVERITY_ICON: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  info: 'info',
  ok: 'pass',
};

const KIND_LABEL: Record<CallView['kind'], string> = {
  'cloud-run': 'Cloud Run',
  'cloud-functions': 'Cloud Functions',
  iap: 'Identity-Aware Proxy',
  'oidc-api': 'OIDC-protected API',
};

const HEADER_LABEL: Record<CallView['headerForm'], string> = {
  authorization: 'Authorization',
  'x-serverless-authorization': 'X-Serverless-Authorization',
  'proxy-authorization': 'Proxy-Authorization',
};

/** Draws (or hides, for undefined) the section. */
export function renderCall(call: CallView | undefined): void {
  const section = byId('call');
  if (!call) {
    section.hidden = true;
    byId('call-body').replaceChildren();
    return;
  }
  section.hidden = false;
  const offline = call.method === '';
  byId('call-heading').textContent = offline ? 'Check against a URL' : 'Call Service';
  // What went wrong first, then the evidence as received (headers, body).
  byId('call-body').replaceChildren(
    requestLine(call, offline),
    ...(call.response ? [statusLine(call.response)] : []),
    ...(call.error ? [errorLine(call.error)] : []),
    findingsList(call.findings),
    ...(call.response ? [responseDetails(call.response)] : []),
  );
}

function requestLine(call: CallView, offline: boolean): HTMLElement {
  return el('p', { className: 'call-request' }, [
    offline
      ? el('span', { className: 'call-method', text: 'Checked against (nothing sent)' })
      : el('span', { className: 'call-method', text: call.method }),
    ' ',
    dataEl('span', call.url, { className: 'call-url' }),
    el('span', {
      className: 'call-meta',
      text: offline
        ? ` · as ${KIND_LABEL[call.kind]}`
        : ` · token in ${HEADER_LABEL[call.headerForm]} · ${KIND_LABEL[call.kind]}`,
    }),
  ]);
}

function statusLine(response: CallResponse): HTMLElement {
  const ok = response.status >= 200 && response.status < 300;
  const redirect = response.status >= 300 && response.status < 400;
  return el('p', { className: 'call-status', attrs: { id: 'call-status' } }, [
    el(
      'span',
      {
        className: `call-code ${ok ? 'call-code-ok' : redirect ? 'call-code-redirect' : 'call-code-error'}`,
      },
      [`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`],
    ),
    el('span', {
      className: 'call-meta',
      text: ` · ${Math.round(response.elapsedMs)} ms${redirect ? ' · redirect shown, not followed' : ''}`,
    }),
  ]);
}

function responseDetails(response: CallResponse): HTMLElement {
  const rows = Object.entries(response.headers).map(([name, value]) =>
    el('tr', {}, [el('th', { text: name, attrs: { scope: 'row' } }), dataEl('td', value)]),
  );
  const headers = el('table', { className: 'call-headers' }, [
    el('caption', { text: 'Response headers that matter' }),
    ...rows,
  ]);
  const size = `${response.bodyBytesRead.toLocaleString()} bytes${response.bodyTruncated ? ', cut off here: the rest was not downloaded' : ''}`;
  const body = el('details', { className: 'call-body', attrs: { open: '' } }, [
    el('summary', { text: `Body (${size}), shown as plain text` }),
    dataEl('pre', response.bodyStart || '(empty)', { className: 'call-body-text' }),
  ]);
  return el('div', { className: 'call-response' }, [headers, body]);
}

function errorLine(error: string): HTMLElement {
  return el('div', { className: 'message message-error', attrs: { role: 'alert' } }, [
    icon('error'),
    dataEl('span', error),
  ]);
}

function findingsList(findings: readonly Finding[]): HTMLElement {
  const list = el('ol', { className: 'findings', attrs: { id: 'call-findings' } });
  findings.forEach((finding, index) => {
    const item = el('li', {
      className: `finding finding-${finding.severity}`,
      attrs: { 'data-rule': finding.rule, 'data-severity': finding.severity },
    });
    item.append(
      el('div', { className: 'finding-title' }, [
        icon(SEVERITY_ICON[finding.severity]),
        dataEl('span', finding.title),
      ]),
      dataEl('p', finding.evidence, { className: 'finding-evidence' }),
      el('p', { className: 'finding-fix' }, [
        el('span', { className: 'finding-label', text: 'Fix: ' }),
        dataEl('span', finding.fix),
      ]),
    );
    if (finding.command) {
      item.append(
        el('div', { className: 'finding-command' }, [
          dataEl('code', finding.command),
          el(
            'button',
            {
              className: 'icon-button copy-command',
              attrs: {
                type: 'button',
                'data-index': String(index),
                title: 'Copy the command (Token Explorer never runs it)',
                'aria-label': 'Copy the command',
              },
            },
            [icon('copy')],
          ),
        ]),
      );
    }
    list.append(item);
  });
  return list;
}

/** The index of the finding whose copy button was clicked, if any. */
export function copiedFindingIndex(event: Event): number | undefined {
  const target = event.target instanceof Element ? event.target.closest('.copy-command') : null;
  const index = target instanceof HTMLElement ? Number(target.dataset['index']) : NaN;
  return Number.isInteger(index) ? index : undefined;
}
