import { TokenExplorerError } from '../errors';
import type { KeySource } from './verifyTypes';

/** A PEM rebuilt from what was pasted, and what had to be mended. */
export interface NormalizedPem {
  readonly pem: string;
  readonly notes: readonly string[];
}

const LABELS = ['PUBLIC KEY', 'CERTIFICATE', 'RSA PUBLIC KEY'];
const BASE64_BODY = /^[A-Za-z0-9+/=\s]+$/;

/**
 * Undoes what JSON strings, env files and shell quoting do to a PEM: surrounding quotes, literal
 * "\n" / "\r\n" escapes (Docker env files and JSON hold them as two characters; node-jsonwebtoken
 * #586, pyjwt #257 report the failures).
 */
function unescape(text: string): { text: string; notes: string[] } {
  const notes: string[] = [];
  let s = text.trim();
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.endsWith(s[0])) {
    s = s.slice(1, -1).trim();
    notes.push('removed the surrounding quotes');
  }
  if (s.includes('\\n')) {
    s = s.split('\\r\\n').join('\n').split('\\n').join('\n');
    notes.push('turned literal "\\n" escapes into line breaks');
  }
  return { text: s, notes };
}

/**
 * Reads a public key or certificate as people paste it and rebuilds a well-formed PEM: armour
 * lines with or without line breaks around them, the body on one line or wrapped at any width,
 * literal "\n" escapes, quotes, or a bare base64 body without armour (taken as an SPKI public key,
 * or a certificate when `certificate` is set).
 * @throws TokenExplorerError `bad-key` naming the missing part (an END line, the body...).
 */
export function normalizePem(input: string, certificate = false): NormalizedPem {
  const { text, notes } = unescape(input);
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  if (!begin) {
    const body = text.replace(/\s/g, '');
    if (body.length < 40 || !BASE64_BODY.test(text)) {
      throw new TokenExplorerError(
        'bad-key',
        'Not a PEM public key or certificate: there is no "-----BEGIN PUBLIC KEY-----" (or CERTIFICATE) line, and the text is not a base64 key body either.',
      );
    }
    const label = certificate ? 'CERTIFICATE' : 'PUBLIC KEY';
    return {
      pem: armour(label, body),
      notes: [...notes, `added the missing "${label}" armour lines around the base64 body`],
    };
  }
  const label = begin[1] ?? '';
  if (!LABELS.includes(label)) {
    throw new TokenExplorerError(
      'bad-key',
      `A PEM "${label}" is not a public key: paste the "PUBLIC KEY" or "CERTIFICATE" block.`,
    );
  }
  const endLine = `-----END ${label}-----`;
  const end = text.indexOf(endLine, begin.index);
  if (end < 0) {
    throw new TokenExplorerError(
      'bad-key',
      `The PEM has its "-----BEGIN ${label}-----" line but no "${endLine}" line: it was cut off when copied.`,
    );
  }
  const bodyText = text.slice(begin.index + begin[0].length, end);
  if (bodyText.trim() === '') {
    throw new TokenExplorerError('bad-key', 'The PEM has armour lines but no key between them.');
  }
  if (!BASE64_BODY.test(bodyText)) {
    const bad = /[^A-Za-z0-9+/=\s]/.exec(bodyText);
    throw new TokenExplorerError(
      'bad-key',
      `The PEM body holds "${bad?.[0] ?? ''}", which base64 does not have: it was changed when copied.`,
    );
  }
  const body = bodyText.replace(/\s/g, '');
  const pem = armour(label, body);
  const rewrapped = pem !== text.replace(/\r\n/g, '\n').trim();
  return { pem, notes: rewrapped && notes.length === 0 ? ['re-wrapped the PEM body'] : notes };
}

function armour(label: string, body: string): string {
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
}

/**
 * Tells apart the key texts people paste: JSON (a JWKS or one JWK, also as a quoted JSON string),
 * a PEM public key or certificate in any of the shapes {@link normalizePem} mends, or a bare
 * base64 key body. Undefined when it is none of them.
 */
export function classifyKeyText(input: string): KeySource | undefined {
  const { text } = unescape(input);
  if (text.startsWith('{')) return { kind: 'jwks', json: text };
  if (
    text.includes('-----BEGIN') ||
    (BASE64_BODY.test(text) && text.replace(/\s/g, '').length >= 40)
  ) {
    return { kind: 'pem', pem: input };
  }
  return undefined;
}
