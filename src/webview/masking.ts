/**
 * Masked mode in the inspector: the raw token is replaced by its first and last characters until
 * the user presses Reveal (which lasts until the next token or the next mask change).
 */
import { maskToken } from '../core/jwt/mask';
import { byId, el, icon } from './dom';

/** Shows the masked form (and a Reveal button) or the full coloured token. */
export function applyMask(token: string, masked: boolean): void {
  const raw = byId('raw-token');
  const cover = byId('raw-token-masked');
  raw.hidden = masked;
  byId('raw-legend').hidden = masked;
  cover.hidden = !masked;
  if (!masked) {
    cover.replaceChildren();
    return;
  }
  const reveal = el(
    'button',
    {
      className: 'button secondary reveal-token',
      attrs: { type: 'button', id: 'reveal-token', title: 'Show the whole token' },
    },
    [icon('eye'), el('span', { className: 'button-label', text: 'Reveal' })],
  );
  reveal.addEventListener('click', () => applyMask(token, false));
  cover.replaceChildren(
    el('span', {
      className: 'masked-token',
      attrs: { id: 'masked-token' },
      text: maskToken(token),
    }),
    el('span', { className: 'call-meta', text: ' masked for screen sharing ' }),
    reveal,
  );
}
