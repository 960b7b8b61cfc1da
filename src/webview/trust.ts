// "Would this trust accept it?": the verdict of a trust check and each checked field, with the
// expected value and the token's, in the inspector's trust section (skeleton in html.ts).
import type { FindingOutcome, TrustReport, TrustVerdict } from '../core/trust/types';
import { byId, dataEl, el, icon } from './dom';

const verdictLook: Readonly<Record<TrustVerdict, [codicon: string, tone: string, text: string]>> = {
  accepted: ['pass-filled', 'ok', 'Accepted'],
  rejected: ['error', 'error', 'Rejected'],
  undetermined: ['question', 'warn', 'Cannot tell from the token alone'],
};

const outcomeLook: Readonly<Record<FindingOutcome, [codicon: string, label: string]>> = {
  pass: ['pass', 'passes'],
  fail: ['error', 'fails'],
  unknown: ['question', 'cannot tell'],
  info: ['info', 'note'],
};

/** Hides the section (a new token was shown). */
export function hideTrust(): void {
  byId('trust-section').hidden = true;
  byId('trust').replaceChildren();
}

/** Shows a finished check. */
export function renderTrust(report: TrustReport): void {
  const [codicon, tone, text] = verdictLook[report.verdict];
  const box = byId('trust');
  box.dataset['verdict'] = report.verdict;
  box.replaceChildren(
    el('div', { className: `status-line-item tone-${tone}` }, [
      icon(codicon),
      el('div', { className: 'status-body' }, [
        el('div', { className: 'status-headline', text: `${text}: ${report.label}` }),
        dataEl('div', report.summary, { className: 'status-detail trust-summary' }),
      ]),
    ]),
    ...report.sections.map((section) =>
      el('div', { className: 'trust-group' }, [
        dataEl('h3', section.title, { className: 'trust-title' }),
        el('table', { className: 'claims trust-findings' }, [
          el('thead', {}, [
            el('tr', {}, [
              el('th', { text: 'Field' }),
              el('th', { text: 'Result' }),
              el('th', { text: 'Expected' }),
              el('th', { text: 'Token has' }),
            ]),
          ]),
          el(
            'tbody',
            {},
            section.findings.map((finding) => {
              const [glyph, label] = outcomeLook[finding.outcome];
              return el('tr', { className: `finding finding-${finding.outcome}` }, [
                dataEl('td', finding.field, { className: 'mono' }),
                el('td', { className: `finding-outcome` }, [icon(glyph), ` ${label}`]),
                dataEl('td', finding.expected ?? '', { className: 'mono' }),
                el('td', {}, [
                  dataEl('div', finding.actual ?? '', { className: 'mono' }),
                  dataEl('div', finding.message, { className: 'status-detail' }),
                ]),
              ]);
            }),
          ),
        ]),
      ]),
    ),
    el('div', { className: 'trust-sources' }, [
      el('span', { className: 'fact-label', text: 'Rules from: ' }),
      ...report.sources.flatMap((url, i) => [
        i > 0 ? ', ' : '',
        dataEl('span', url, { className: 'mono' }),
      ]),
    ]),
  );
  show();
}

/** Shows why the check could not run (not a trust definition, unreadable file). */
export function renderTrustError(message: string): void {
  const box = byId('trust');
  box.dataset['verdict'] = 'error';
  box.replaceChildren(
    el('div', { className: 'status-line-item tone-error' }, [
      icon('warning'),
      el('div', { className: 'status-body' }, [
        el('div', { className: 'status-headline', text: 'Could not check the trust' }),
        dataEl('div', message, { className: 'status-detail' }),
      ]),
    ]),
  );
  show();
}

function show(): void {
  const section = byId('trust-section');
  section.hidden = false;
  section.scrollIntoView({ block: 'nearest' });
}
