import { canFetchIssuerKeys } from '../core/jwt/issuerUrl';
import type { Inspection } from '../core/jwt/types';
import type { AudienceCheck } from '../core/jwt/verifyTypes';
import type { VerificationView } from '../shared/protocol';
import { byId, dataEl, el, icon } from './dom';
import { renderSignatureAnswer } from './glance';

/** Redraws the Verification section; also used when a late `verification` message arrives. */
export function renderVerification(
  inspection: Inspection,
  verification: VerificationView,
  audience: AudienceCheck,
): void {
  const box = byId('verification');
  box.className = `verification verify-${verification.status}`;
  box.dataset['status'] = verification.status;
  box.replaceChildren(...verificationLines(inspection, verification));
  renderSignatureAnswer(inspection, verification);

  const audienceBox = byId('audience');
  audienceBox.className = `verification audience-${audience.status}`;
  audienceBox.dataset['status'] = audience.status;
  audienceBox.replaceChildren(audienceLine(audience));
}

function verificationLines(inspection: Inspection, v: VerificationView): HTMLElement[] {
  switch (v.status) {
    case 'verified':
      return [
        statusLine('pass-filled', 'ok', 'Signature verified', keyFacts(v.alg, v.kid, v.keyFrom)),
      ];
    case 'bad-signature':
      return [
        statusLine(
          'error',
          'error',
          'Signature does not match',
          keyFacts(v.alg, v.kid, v.keyFrom),
          'The token was changed after signing, or it was signed with a different key.',
        ),
        ...suppliedKeyWayBack(inspection, v.keyFrom),
      ];
    case 'no-matching-key':
      return [
        statusLine(
          'error',
          'error',
          'No matching key',
          keyFacts(undefined, v.kid, v.keyFrom),
          v.detail,
        ),
        ...suppliedKeyWayBack(inspection, v.keyFrom),
      ];
    case 'key-unreadable':
      return [
        statusLine(
          'warning',
          'warn',
          'The key cannot be read: the signature was not checked',
          [['Key from', v.keyFrom]],
          v.detail,
        ),
        ...suppliedKeyWayBack(inspection, v.keyFrom),
      ];
    case 'issuer-unreachable':
      return [
        statusLine('warning', 'warn', 'Could not reach the issuer', [['URL', v.url]], v.reason),
        ...issuerButton(inspection, 'Retry with issuer keys'),
      ];
    case 'algorithm-not-allowed':
      return [
        statusLine('error', 'error', 'Algorithm not allowed', [['Algorithm', v.alg]], v.reason),
      ];
    case 'unverifiable':
      return [statusLine('info', 'warn', 'Signature cannot be checked here', [], v.reason)];
    case 'not-attempted':
      return [
        statusLine('info', 'muted', 'Signature not verified', [], v.reason),
        ...issuerButton(inspection, 'Verify with issuer keys'),
      ];
    case 'pending':
      return [statusLine('loading', 'muted', 'Verifying signature…', [], v.detail, true)];
  }
}

function keyFacts(
  alg: string | undefined,
  kid: string | undefined,
  keyFrom: string,
): [string, string][] {
  const facts: [string, string][] = [];
  if (alg !== undefined) facts.push(['Algorithm', alg]);
  if (kid !== undefined) facts.push(['Key ID', kid]);
  facts.push(['Key from', keyFrom]);
  return facts;
}

/** One outcome: an icon, a headline, facts as label/value pairs and an explanation. */
function statusLine(
  codicon: string,
  tone: 'ok' | 'error' | 'warn' | 'muted',
  headline: string,
  facts: readonly (readonly [string, string])[],
  detail?: string,
  spin = false,
): HTMLElement {
  const body = el('div', { className: 'status-body' }, [
    el('div', { className: 'status-headline', text: headline }),
  ]);
  if (facts.length > 0) {
    body.append(
      el(
        'div',
        { className: 'status-facts' },
        facts.map(([label, value]) =>
          el('span', { className: 'fact' }, [
            el('span', { className: 'fact-label', text: label }),
            dataEl('span', value, { className: 'fact-value' }),
          ]),
        ),
      ),
    );
  }
  if (detail) body.append(dataEl('div', detail, { className: 'status-detail' }));
  return el('div', { className: `status-line-item tone-${tone}` }, [
    icon(codicon, spin ? 'codicon-modifier-spin' : ''),
    body,
  ]);
}

/**
 * After a key the user supplied (PEM, JWKS, secret) failed, the way back to the issuer's answer:
 * the supplied key replaced it, and a wrong paste must not cost the earlier "Signature verified".
 */
function suppliedKeyWayBack(inspection: Inspection, keyFrom: string): HTMLElement[] {
  return keyFrom.startsWith('supplied')
    ? issuerButton(inspection, "Verify with the issuer's keys")
    : [];
}

/** The "verify with issuer" action, offered only where it can work (see canFetchIssuerKeys). */
function issuerButton(inspection: Inspection, label: string): HTMLElement[] {
  if (!canFetchIssuerKeys(inspection)) return [];
  return [
    el('div', { className: 'status-actions' }, [
      el(
        'button',
        {
          className: 'button secondary',
          attrs: {
            type: 'button',
            id: 'verify-issuer',
            title: "Fetch the issuer's published keys and verify the signature",
          },
        },
        [icon('globe'), el('span', { className: 'button-label', text: label })],
      ),
    ]),
  ];
}

function audienceLine(audience: AudienceCheck): HTMLElement {
  switch (audience.status) {
    case 'match':
      return statusLine('pass-filled', 'ok', 'Audience matches', [['Expected', audience.expected]]);
    case 'mismatch':
      return statusLine('error', 'error', 'Audience does not match', [
        ['Expected', audience.expected],
        ['Token has', audience.actual.length > 0 ? audience.actual.join(', ') : '(none)'],
      ]);
    case 'not-checked':
      return statusLine(
        'info',
        'muted',
        'Audience not checked',
        [],
        'No expected audience is configured for this token.',
      );
  }
}
