import { formatDuration, lifetimeSeconds } from '../core/jwt/time';
import type { ClaimRow, ClaimSource, Inspection, PartProblem } from '../core/jwt/types';
import type { InspectorState } from '../shared/protocol';
import { noTimesReason } from './countdown';
import type { LiveView } from './countdown';
import { byId, dataEl, el, icon, safeText } from './dom';
import { renderGlance } from './glance';
import { partLabels, renderRawToken } from './rawToken';
import { renderVerification } from './renderVerification';

/** Values longer than this are cut until the user asks for all of it. */
export const truncateAt = 2000;

const sourceLabels: Readonly<Record<ClaimSource, string | undefined>> = {
  header: undefined,
  // Registered claims are the norm; only the extensions get a tag.
  registered: undefined,
  oidc: 'OIDC',
  google: 'Google',
  gitlab: 'GitLab',
  github: 'GitHub',
  yandex: 'Yandex',
  kubernetes: 'Kubernetes',
  buildkite: 'Buildkite',
  circleci: 'CircleCI',
  bitbucket: 'Bitbucket',
  'azure-devops': 'Azure DevOps',
  entra: 'Entra',
  aws: 'AWS',
  unknown: undefined,
};

/** The time claims of the Times block, in the order people read them. */
const timeClaims = [
  { claim: 'iat', key: 'iat', label: 'Issued at' },
  { claim: 'nbf', key: 'nbf', label: 'Not before' },
  { claim: 'exp', key: 'exp', label: 'Expires' },
  { claim: 'auth_time', key: 'authTime', label: 'Authenticated at' },
] as const;

/** Fills the skeleton for one token; returns the nodes the countdown keeps up to date. */
export function renderInspector(state: InspectorState): LiveView {
  const { inspection } = state;
  const relatives: { node: HTMLElement; epochSeconds: number }[] = [];

  const expires = renderGlance(inspection);
  if (expires !== undefined) relatives.push(expires);
  renderSummary(inspection);
  renderMessages(inspection);
  renderRawToken(inspection);
  renderVerification(inspection, state.verification, state.audience);
  renderTimes(inspection, relatives);
  renderHeader(inspection);
  renderClaims(inspection, relatives);
  updateActions(inspection);

  const badge = byId('status-badge');
  // A new token always gets a fresh badge, even if the status is the same.
  delete badge.dataset['status'];
  return {
    inspection,
    clockSkewSeconds: state.clockSkewSeconds,
    badge,
    countdown: byId('countdown'),
    relatives,
  };
}

function renderSummary(inspection: Inspection): void {
  const items: HTMLElement[] = [summaryItem('Found in', inspection.foundIn)];
  if (inspection.repairs) items.push(summaryItem('Repaired', inspection.repairs.join('; ')));
  // Type, algorithm and issuer are in the summary above the actions (glance.ts).
  if (inspection.kid !== undefined) items.push(summaryItem('Key ID', inspection.kid));
  byId('summary').replaceChildren(...items);
}

function summaryItem(label: string, value: string): HTMLElement {
  return el('span', { className: 'summary-item' }, [
    el('span', { className: 'summary-label', text: label }),
    dataEl('span', value, { className: 'summary-value' }),
  ]);
}

function renderMessages(inspection: Inspection): void {
  byId('problems').replaceChildren(...inspection.problems.map(problemBox));
  byId('warnings').replaceChildren(
    ...inspection.warnings.map((warning) =>
      el('div', { className: 'message message-warning' }, [
        icon('warning'),
        dataEl('span', warning, { className: 'message-text' }),
      ]),
    ),
  );
}

function problemBox(problem: PartProblem): HTMLElement {
  return el('div', { className: 'message message-error', attrs: { 'data-part': problem.part } }, [
    icon('error'),
    el('span', { className: 'message-text' }, [
      el('strong', { className: 'message-part', text: `${partLabels[problem.part]}: ` }),
      ...safeText(problem.message),
    ]),
  ]);
}

function renderTimes(
  inspection: Inspection,
  relatives: { node: HTMLElement; epochSeconds: number }[],
): void {
  const box = byId('times');
  const rows: HTMLElement[] = [];
  for (const { claim, key, label } of timeClaims) {
    const seconds = inspection.times[key];
    const unreadable = claim === 'exp' ? inspection.times.expUnreadable : undefined;
    if (seconds === undefined && (unreadable === undefined || !inspection.payload)) continue;
    const row = inspection.claimRows.find((r) => r.name === claim);
    const date = new Date((seconds ?? NaN) * 1000);
    const relative = el('td', { className: 'time-relative' });
    // A number beyond the range of dates is still compared by verifiers, but no date to show.
    const dated = Number.isFinite(date.getTime());
    if (seconds !== undefined && dated && unreadable === undefined) {
      relatives.push({ node: relative, epochSeconds: seconds });
    } else relative.textContent = 'unknown';
    const local = row?.time?.local ?? (dated ? date.toLocaleString() : 'unreadable');
    const utc =
      row?.time?.utc ?? unreadable ?? (dated ? date.toISOString() : (row?.warning ?? 'no date'));
    rows.push(
      el('tr', { attrs: { 'data-time': claim } }, [
        el('th', { attrs: { scope: 'row' } }, [
          el('span', { className: 'time-label', text: label }),
          el('code', { className: 'time-claim', text: claim }),
        ]),
        el('td', { className: 'time-local', text: local }),
        el('td', { className: 'time-utc', text: utc }),
        relative,
      ]),
    );
  }
  if (rows.length === 0) {
    box.replaceChildren(el('p', { className: 'note', text: noTimesReason(inspection) }));
    return;
  }
  const children: HTMLElement[] = [
    el('table', { className: 'times-table' }, [
      el('thead', {}, [
        el('tr', {}, [
          el('th', { text: 'Claim', attrs: { scope: 'col' } }),
          el('th', { text: 'Local', attrs: { scope: 'col' } }),
          el('th', { text: 'UTC', attrs: { scope: 'col' } }),
          el('th', { text: 'Relative', attrs: { scope: 'col' } }),
        ]),
      ]),
      el('tbody', {}, rows),
    ]),
  ];
  const lifetime = lifetimeSeconds(inspection.times);
  if (lifetime !== undefined) {
    children.push(
      el('p', { className: 'lifetime', attrs: { id: 'lifetime' } }, [
        el('span', { className: 'fact-label', text: 'Lifetime' }),
        // A token whose exp is not after its start has no lifetime (the warnings say why).
        el('span', {
          text:
            lifetime > 0
              ? formatDuration(lifetime)
              : `none: exp is not after ${inspection.times.nbf !== undefined ? 'nbf' : 'iat'}`,
        }),
      ]),
    );
  }
  box.replaceChildren(...children);
}

function renderHeader(inspection: Inspection): void {
  fillClaimTable(byId<HTMLTableElement>('header-table'), inspection.headerRows, []);
}

function renderClaims(
  inspection: Inspection,
  relatives: { node: HTMLElement; epochSeconds: number }[],
): void {
  const table = byId<HTMLTableElement>('claims-table');
  const note = byId('payload-note');
  let why: string | undefined;
  if (inspection.kind === 'jwe') {
    why =
      'The payload is encrypted (JWE) and cannot be shown without the recipient’s private key. The protected header above is readable.';
  } else if (inspection.payload === undefined) {
    why = 'The payload could not be decoded; see the problems above.';
  } else if (inspection.claimRows.length === 0) {
    why = 'The payload is an empty JSON object.';
  }
  note.hidden = why === undefined;
  note.textContent = why ?? '';
  table.hidden = inspection.claimRows.length === 0;
  fillClaimTable(table, inspection.claimRows, relatives);
}

/** Rows whose name extends another row's name with a dot are shown nested beneath it. */
function nestingDepths(rows: readonly ClaimRow[]): Map<string, { depth: number; parent?: string }> {
  const names = new Set(rows.map((r) => r.name));
  const out = new Map<string, { depth: number; parent?: string }>();
  for (const { name } of rows) {
    let depth = 0;
    let parent: string | undefined;
    for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
      const prefix = name.slice(0, dot);
      if (names.has(prefix)) {
        depth += 1;
        parent = prefix;
      }
    }
    out.set(name, parent === undefined ? { depth } : { depth, parent });
  }
  return out;
}

function fillClaimTable(
  table: HTMLTableElement,
  rows: readonly ClaimRow[],
  relatives: { node: HTMLElement; epochSeconds: number }[],
): void {
  const depths = nestingDepths(rows);
  table.replaceChildren(
    el('thead', {}, [
      el('tr', {}, [
        el('th', { className: 'col-claim', text: 'Claim', attrs: { scope: 'col' } }),
        el('th', { className: 'col-value', text: 'Value', attrs: { scope: 'col' } }),
        el('th', { className: 'col-meaning', text: 'Meaning', attrs: { scope: 'col' } }),
      ]),
    ]),
    el(
      'tbody',
      {},
      rows.map((row) => claimRow(row, depths.get(row.name) ?? { depth: 0 }, relatives)),
    ),
  );
}

function claimRow(
  row: ClaimRow,
  nesting: { depth: number; parent?: string },
  relatives: { node: HTMLElement; epochSeconds: number }[],
): HTMLTableRowElement {
  const depth = Math.min(nesting.depth, 6);
  const nameCell = el('td', { className: 'claim-cell' });
  const name = el('div', { className: 'claim-name' });
  if (nesting.parent !== undefined) {
    // The break opportunity keeps the child's own name whole when the column is narrow.
    name.append(dataEl('span', `${nesting.parent}.`, { className: 'claim-parent' }), el('wbr'));
    name.append(...safeText(row.name.slice(nesting.parent.length + 1)));
  } else {
    name.append(...safeText(row.name));
  }
  nameCell.append(name);
  if (row.label !== undefined)
    nameCell.append(dataEl('div', row.label, { className: 'claim-label' }));

  const meaning = el('td', { className: 'claim-meaning' });
  const source = sourceLabels[row.source];
  if (row.description !== undefined) {
    meaning.append(dataEl('div', row.description, { className: 'claim-description' }));
  } else if (source === undefined) {
    meaning.append(
      el('span', { className: 'muted', text: '—', attrs: { title: 'Not a known claim' } }),
    );
  }
  if (source !== undefined) meaning.append(el('span', { className: 'source-tag', text: source }));
  if (row.time !== undefined) {
    const relative = el('span', { className: 'time-relative' });
    relatives.push({ node: relative, epochSeconds: row.time.epochSeconds });
    meaning.append(
      el('div', { className: 'claim-time' }, [
        icon('clock'),
        el('span', { text: row.time.local }),
        el('span', { className: 'muted', text: ' · ' }),
        relative,
      ]),
    );
  }
  if (row.warning !== undefined) {
    meaning.append(
      el('div', { className: 'row-warning' }, [icon('warning'), dataEl('span', row.warning)]),
    );
  }

  const tr = el(
    'tr',
    {
      className: `depth-${depth}${row.warning !== undefined ? ' has-warning' : ''}`,
      attrs: { 'data-claim': row.name },
    },
    [nameCell, valueCell(row.display), meaning],
  );
  return tr;
}

/** The value, literal and isolated; very long values are cut with a toggle to show all of it. */
function valueCell(display: string): HTMLTableCellElement {
  const cell = el('td', { className: 'claim-value', attrs: { dir: 'auto' } });
  const text = el('div', { className: 'value-text' });
  cell.append(text);
  if (display.length <= truncateAt) {
    text.append(...safeText(display));
    return cell;
  }
  const short = display.slice(0, truncateAt);
  const toggle = el('button', {
    className: 'link-button show-all',
    attrs: { type: 'button', 'aria-expanded': 'false' },
  });
  const showAllLabel = `Show all (${display.length.toLocaleString('en-US')} chars)`;
  let expanded = false;
  const paint = (): void => {
    text.replaceChildren(...safeText(expanded ? display : short));
    if (!expanded) text.append(el('span', { className: 'ellipsis', text: '…' }));
    toggle.textContent = expanded ? 'Show less' : showAllLabel;
    toggle.setAttribute('aria-expanded', String(expanded));
    cell.classList.toggle('truncated', !expanded);
  };
  toggle.addEventListener('click', () => {
    expanded = !expanded;
    paint();
  });
  paint();
  cell.append(toggle);
  return cell;
}

/** Copy targets and titles that fit the token: an encrypted payload can only copy its header. */
function updateActions(inspection: Inspection): void {
  const copyJson = byId<HTMLButtonElement>('copy-json');
  const usePayload = inspection.payload !== undefined;
  copyJson.dataset['target'] = usePayload ? 'payload-json' : 'header-json';
  const title = usePayload
    ? 'Copy the decoded payload as JSON'
    : 'Copy the decoded header as JSON (the payload is not available)';
  copyJson.title = title;
  copyJson.disabled = !usePayload && inspection.header === undefined;
  byId<HTMLButtonElement>('copy-header-json').disabled = inspection.header === undefined;
}
