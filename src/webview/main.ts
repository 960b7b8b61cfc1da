import type { CopyTarget, HostToWebview, InspectorState } from '../shared/protocol';
import { countdownLine, tick, type LiveView } from './countdown';
import { copiedFindingIndex, renderCall } from './callService';
import { byId } from './dom';
import { applyMask } from './masking';
import { renderInspector } from './render';
import { renderVerification } from './renderVerification';
import { Transport } from './transport';
import { hideTrust, renderTrust, renderTrustError } from './trust';

const transport = new Transport();
let current: { state: InspectorState; live: LiveView } | undefined;

function showOnly(id: 'loading' | 'empty-state' | 'inspector'): void {
  for (const section of ['loading', 'empty-state', 'inspector'] as const) {
    byId(section).hidden = section !== id;
  }
}

function show(state: InspectorState): void {
  const live = renderInspector(state);
  const another = current?.state.inspection.token !== state.inspection.token;
  if (another) hideTrust();
  current = { state, live };
  applyMask(state.inspection.token, state.masked);
  renderCall(state.call);
  const now = Date.now();
  tick(live, now);
  showOnly('inspector');
  // A newly inspected token starts at the top, where its status and verification are.
  if (another) window.scrollTo(0, 0);
  transport.setState({ ref: state.ref });
  transport.post({
    type: 'rendered',
    ref: state.ref,
    claimNames: state.inspection.claimRows.map((row) => row.name),
    countdown: countdownLine(state.inspection, now, state.clockSkewSeconds),
  });
}

function showEmpty(message: string): void {
  current = undefined;
  byId('empty-message').textContent = message;
  showOnly('empty-state');
  transport.setState(undefined);
}

function onMessage(message: HostToWebview): void {
  switch (message.type) {
    case 'show':
      show(message.state);
      break;
    case 'verification':
      // A late answer for a token that is no longer shown is dropped.
      if (current && current.state.inspection.token === message.token) {
        current.state = {
          ...current.state,
          verification: message.verification,
          audience: message.audience,
        };
        renderVerification(current.state.inspection, message.verification, message.audience);
      }
      break;
    case 'empty':
      showEmpty(message.message);
      break;
    case 'call':
      if (current && current.state.inspection.token === message.token) {
        current.state = { ...current.state, call: message.call };
        renderCall(message.call);
      }
      break;
    case 'masked':
      if (current) {
        current.state = { ...current.state, masked: message.masked };
        applyMask(current.state.inspection.token, message.masked);
      }
      break;
    case 'trust':
      if (current?.state.inspection.token === message.token) {
        if ('report' in message) renderTrust(message.report);
        else renderTrustError(message.error);
      }
      break;
    default: {
      const unhandled: never = message;
      throw new Error(`unhandled message ${JSON.stringify(unhandled)}`);
    }
  }
}

function onClick(id: string, action: () => void): void {
  byId(id).addEventListener('click', action);
}

onClick('copy-token', () => transport.post({ type: 'copy', target: 'token' }));
onClick('copy-bearer', () => transport.post({ type: 'copy', target: 'bearer' }));
onClick('copy-json', () => {
  // render.ts picks the header when the payload cannot be decoded or is encrypted.
  const target: CopyTarget =
    byId('copy-json').dataset['target'] === 'header-json' ? 'header-json' : 'payload-json';
  transport.post({ type: 'copy', target });
});
onClick('copy-header-json', () => transport.post({ type: 'copy', target: 'header-json' }));
onClick('verify-key', () => transport.post({ type: 'verifyWithKey' }));
onClick('check-trust', () => transport.post({ type: 'checkTrust' }));
onClick('inspect-another', () => transport.post({ type: 'inspectAnother' }));
onClick('call-service', () => transport.post({ type: 'callService' }));
onClick('check-url', () => transport.post({ type: 'checkAgainstUrl' }));
onClick('copy-as', () => transport.post({ type: 'copyAs' }));
byId('call').addEventListener('click', (event) => {
  const index = copiedFindingIndex(event);
  if (index !== undefined) transport.post({ type: 'copyFindingCommand', index });
});
onClick('empty-inspect', () => transport.post({ type: 'inspectAnother' }));
// The issuer button is redrawn with the verification section, so listen on the section.
byId('verification').addEventListener('click', (event) => {
  if (event.target instanceof Element && event.target.closest('#verify-issuer')) {
    transport.post({ type: 'verifyWithIssuer' });
  }
});

if (transport.getState()) byId('loading-text').textContent = 'Restoring token…';
transport.onMessage(onMessage);
window.setInterval(() => {
  if (current) tick(current.live, Date.now());
}, 1000);
transport.post({ type: 'ready' });
