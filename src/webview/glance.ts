/**
 * The inspector's first screen: what this token is, for whom, until when, and whether its
 * signature was verified, in a few lines above the actions (issue 9, "What the user sees first").
 * The pure parts (`glanceRows`, `signatureAnswer`) are unit-tested; the rest fills the skeleton.
 */
import { detectIssuerFamily, own, type IssuerFamily } from '../core/jwt/family';
import type { Inspection } from '../core/jwt/types';
import type { VerificationView } from '../shared/protocol';
import { byId, dataEl, el, icon } from './dom';

/** Longer values are cut in the summary; the claims table below shows them whole. */
export const glanceValueMax = 160;

const familyNames: Readonly<Record<IssuerFamily, string>> = {
  google: 'Google',
  github: 'GitHub Actions',
  gitlab: 'GitLab CI',
  yandex: 'Yandex Cloud',
  kubernetes: 'Kubernetes service account',
  buildkite: 'Buildkite job',
  circleci: 'CircleCI job',
  bitbucket: 'Bitbucket Pipelines step',
  'azure-devops': 'Azure DevOps service connection',
  entra: 'Microsoft Entra',
  aws: 'AWS web identity (STS)',
};

/** One line of the summary: a label, the value (token data) and an optional muted note. */
export interface GlanceRow {
  readonly key: 'what' | 'issuer' | 'audience' | 'subject' | 'email' | 'expires';
  readonly label: string;
  readonly value: string;
  /** Our own words after the value, e.g. "(no aud claim)". */
  readonly note?: string;
  /** For `expires`: the instant a live "in 59 min" is kept for. */
  readonly epochSeconds?: number;
}

/** The summary rows for a token, in reading order: what, issuer, for whom, until when. */
export function glanceRows(inspection: Inspection): GlanceRow[] {
  const rows: GlanceRow[] = [{ key: 'what', label: 'Token', value: whatItIs(inspection) }];
  const payload = inspection.payload;
  if (payload === undefined) {
    const why =
      inspection.kind === 'jwe'
        ? 'The claims are inside the encrypted payload.'
        : 'The payload could not be read.';
    rows.push({ key: 'issuer', label: 'Issuer', value: '', note: why });
    return rows;
  }
  rows.push(claimRow('issuer', 'Issuer', payload, 'iss'));
  rows.push(claimRow('audience', 'Audience', payload, 'aud'));
  rows.push(claimRow('subject', 'Subject', payload, 'sub'));
  if (own(payload, 'email') !== undefined) rows.push(claimRow('email', 'Email', payload, 'email'));
  rows.push(expiresRow(inspection));
  return rows;
}

function whatItIs(inspection: Inspection): string {
  const alg = inspection.alg ?? 'no alg';
  const family = inspection.payload ? detectIssuerFamily(inspection.payload) : undefined;
  const typ = inspection.header ? own(inspection.header, 'typ') : undefined;
  const words: string[] = [];
  if (family !== undefined) words.push(familyNames[family]);
  if (typeof typ === 'string' && /^(?:application\/)?at\+jwt$/i.test(typ)) {
    // RFC 9068 section 2.1: JWT access tokens carry typ "at+jwt".
    words.push('access token');
  } else if (family !== undefined) {
    words.push('token');
  }
  const form =
    inspection.kind === 'jwe'
      ? `encrypted JWT (JWE, ${alg})`
      : inspection.kind === 'unsecured'
        ? 'unsecured JWT (alg none)'
        : `signed JWT (${alg})`;
  if (words.length === 0) return form.charAt(0).toUpperCase() + form.slice(1);
  return `${words.join(' ')} · ${form}`;
}

function claimRow(
  key: GlanceRow['key'],
  label: string,
  payload: Readonly<Record<string, unknown>>,
  claim: string,
): GlanceRow {
  const value = own(payload, claim);
  if (value === undefined) return { key, label, value: '', note: `(no ${claim} claim)` };
  const text = Array.isArray(value)
    ? value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', ')
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
  return { key, label, value: text };
}

function expiresRow(inspection: Inspection): GlanceRow {
  const { exp, expUnreadable } = inspection.times;
  if (expUnreadable !== undefined) {
    return { key: 'expires', label: 'Expires', value: '', note: `unreadable: ${expUnreadable}` };
  }
  if (exp === undefined) {
    return { key: 'expires', label: 'Expires', value: '', note: '(no exp claim: no time limit)' };
  }
  const row = inspection.claimRows.find((r) => r.name === 'exp');
  const local = row?.time?.local ?? new Date(exp * 1000).toLocaleString();
  return { key: 'expires', label: 'Expires', value: local, epochSeconds: exp };
}

/** The signature's answer in a few words, kept apart from the time badge. */
export interface SignatureAnswer {
  readonly tone: 'ok' | 'error' | 'warn' | 'muted';
  readonly codicon: string;
  /** Short enough for a badge: "Signature verified". */
  readonly headline: string;
  /** Where the key came from or why it was not checked (may be token-derived text). */
  readonly detail?: string;
}

/** What the signature check says, for the status line and the summary. */
export function signatureAnswer(inspection: Inspection, v: VerificationView): SignatureAnswer {
  if (inspection.kind === 'unsecured') {
    return {
      tone: 'error',
      codicon: 'unverified',
      headline: 'No signature',
      detail: 'alg "none": anyone could have written it.',
    };
  }
  switch (v.status) {
    case 'verified':
      return {
        tone: 'ok',
        codicon: 'verified-filled',
        headline: 'Signature verified',
        detail: `key from ${v.keyFrom}`,
      };
    case 'bad-signature':
      return {
        tone: 'error',
        codicon: 'error',
        headline: 'Signature does not match',
        detail: `key from ${v.keyFrom}`,
      };
    case 'no-matching-key':
      return { tone: 'error', codicon: 'error', headline: 'No matching key', detail: v.detail };
    case 'key-unreadable':
      // The token was not checked: nothing is known against it, only the key failed.
      return { tone: 'warn', codicon: 'warning', headline: 'Key unreadable', detail: v.detail };
    case 'algorithm-not-allowed':
      return {
        tone: 'error',
        codicon: 'error',
        headline: 'Algorithm not allowed',
        detail: v.reason,
      };
    case 'issuer-unreachable':
      return {
        tone: 'warn',
        codicon: 'unverified',
        headline: 'Signature not verified',
        detail: `could not reach the issuer: ${v.reason}`,
      };
    case 'unverifiable':
      return {
        tone: 'warn',
        codicon: 'unverified',
        headline: 'Signature cannot be checked',
        detail: v.reason,
      };
    case 'not-attempted':
      return {
        tone: 'muted',
        codicon: 'unverified',
        headline: 'Signature not verified',
        detail: v.reason,
      };
    case 'pending':
      return { tone: 'muted', codicon: 'loading', headline: 'Verifying signature…' };
  }
}

/** Long values cut for the summary, with the length said. */
function cut(value: string): string {
  if (value.length <= glanceValueMax) return value;
  return `${value.slice(0, glanceValueMax)}… (${value.length.toLocaleString('en-US')} characters)`;
}

/** Fills #glance; returns the live "in 59 min" node of the expiry, if any, for the ticker. */
export function renderGlance(
  inspection: Inspection,
): { node: HTMLElement; epochSeconds: number } | undefined {
  let live: { node: HTMLElement; epochSeconds: number } | undefined;
  const items: HTMLElement[] = [];
  for (const row of glanceRows(inspection)) {
    const value = el('dd', { className: 'glance-value', attrs: { 'data-glance': row.key } });
    if (row.value !== '') value.append(dataEl('span', cut(row.value), { className: 'mono' }));
    if (row.note !== undefined) value.append(el('span', { className: 'muted', text: row.note }));
    if (row.epochSeconds !== undefined) {
      const relative = el('span', { className: 'glance-relative' });
      live = { node: relative, epochSeconds: row.epochSeconds };
      value.append(el('span', { className: 'muted', text: ' · ' }), relative);
    }
    items.push(el('dt', { className: 'glance-label', text: row.label }), value);
  }
  const signature = el('dd', {
    className: 'glance-value',
    attrs: { id: 'glance-signature', 'data-glance': 'signature' },
  });
  items.push(el('dt', { className: 'glance-label', text: 'Signature' }), signature);
  byId('glance').replaceChildren(...items);
  return live;
}

/** Redraws the signature answer in the status line and the summary. */
export function renderSignatureAnswer(inspection: Inspection, v: VerificationView): void {
  const answer = signatureAnswer(inspection, v);
  const spin = answer.codicon === 'loading' ? 'codicon-modifier-spin' : '';
  const badge = byId('signature-badge');
  badge.className = `badge signature-badge tone-${answer.tone}`;
  badge.dataset['status'] = v.status;
  badge.replaceChildren(icon(answer.codicon, spin), answer.headline);
  const line = byId('glance-signature');
  line.className = `glance-value tone-${answer.tone}`;
  line.replaceChildren(el('span', { className: 'glance-headline', text: answer.headline }));
  if (answer.detail !== undefined) {
    line.append(
      el('span', { className: 'muted', text: ' · ' }),
      dataEl('span', cut(answer.detail), { className: 'muted' }),
    );
  }
}
