/**
 * The Encoded section: the token coloured by part, collapsed to a few lines with "Show all" when it
 * does not fit, so a 135 KB token never fills the first screen (issue 9).
 */
import type { Inspection, PartName } from '../core/jwt/types';
import { byId, dataEl, el } from './dom';

/** Names of the parts, for titles, the legend and the problem boxes. */
export const partLabels: Readonly<Record<PartName | 'token', string>> = {
  header: 'Header',
  payload: 'Payload',
  signature: 'Signature',
  encryptedKey: 'Encrypted key',
  iv: 'Initialization vector',
  ciphertext: 'Ciphertext',
  tag: 'Authentication tag',
  token: 'Token',
};

/** Characters drawn while collapsed: more than the few visible lines at any panel width. */
const rawPreviewChars = 2000;
let rawObserver: ResizeObserver | undefined;

/**
 * The encoded token, collapsed to a few lines: "Show all" appears when it does not fit (measured,
 * so a short token at a wide panel shows whole) and draws the rest only when asked.
 */
export function renderRawToken(inspection: Inspection): void {
  const raw = byId('raw-token');
  const legend = byId('raw-legend');
  const toggle = byId<HTMLButtonElement>('raw-toggle');
  const total = inspection.token.length;
  let expanded = false;
  const paint = (): void => {
    // A 135 KB token is drawn only when asked for: the first screen stays a few lines of base64.
    raw.replaceChildren(...rawSpans(inspection, expanded ? total : rawPreviewChars));
    raw.classList.toggle('collapsed', !expanded);
    toggle.textContent = expanded
      ? 'Show less'
      : `Show all (${total.toLocaleString('en-US')} characters)`;
    toggle.setAttribute('aria-expanded', String(expanded));
    fitRawToken();
  };
  toggle.onclick = () => {
    expanded = !expanded;
    paint();
  };
  paint();
  // Shown, revealed from masked mode or resized: whether the token fits changes with its box.
  rawObserver ??= new ResizeObserver(fitRawToken);
  rawObserver.observe(raw);
  legend.replaceChildren(
    ...inspection.parts.map((part) =>
      el('span', { className: `legend-item part-${part.name}` }, [
        el('span', { className: 'legend-swatch', attrs: { 'aria-hidden': 'true' } }),
        partLabels[part.name],
      ]),
    ),
  );
}

/** "Show all" only when the collapsed token overflows its lines; "Show less" once expanded. */
function fitRawToken(): void {
  const raw = byId('raw-token');
  if (!raw.classList.contains('collapsed')) return;
  byId('raw-toggle').hidden = raw.scrollHeight <= raw.clientHeight + 1;
}

/** The token coloured by part, at most `budget` characters of it. */
function rawSpans(inspection: Inspection, budget: number): (Node | string)[] {
  if (inspection.parts.length === 0) {
    return [dataEl('span', inspection.token.slice(0, budget), { className: 'part part-token' })];
  }
  const spans: (Node | string)[] = [];
  let left = budget;
  for (const [index, part] of inspection.parts.entries()) {
    if (left <= 0) break;
    if (index > 0) {
      spans.push(el('span', { className: 'part-dot', text: '.' }));
      left -= 1;
    }
    spans.push(
      dataEl('span', part.text.slice(0, Math.max(0, left)), {
        className: `part part-${part.name}`,
        attrs: { title: partLabels[part.name], 'data-part': part.name },
      }),
    );
    left -= part.text.length;
  }
  return spans;
}
