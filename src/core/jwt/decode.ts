import { base64url } from 'jose';
import { asClause } from '../errors';
import { unsafeIntegers } from './bigNumbers';
import type { PartName, PartProblem, TokenKind, TokenPart } from './types';

/** The structural decoding of a compact token: what decoded, and what did not and why. */
export interface Decoded {
  readonly kind: TokenKind;
  readonly parts: readonly TokenPart[];
  readonly header?: Readonly<Record<string, unknown>>;
  readonly payload?: Readonly<Record<string, unknown>>;
  readonly problems: readonly PartProblem[];
  readonly warnings: readonly string[];
  /**
   * Integers above 2^53 as sent, by the text JavaScript prints for the rounded number:
   * "100002348117421470" → "100002348117421473", to show the exact digits.
   */
  readonly exactIntegers?: Readonly<Record<string, string>>;
}

const JWS_PARTS: readonly PartName[] = ['header', 'payload', 'signature'];
const JWE_PARTS: readonly PartName[] = ['header', 'encryptedKey', 'iv', 'ciphertext', 'tag'];
const PART_LABEL: Record<PartName, string> = {
  header: 'header',
  payload: 'payload',
  signature: 'signature',
  encryptedKey: 'encrypted key',
  iv: 'initialization vector',
  ciphertext: 'ciphertext',
  tag: 'authentication tag',
};
const BASE64URL_CHAR = /[^A-Za-z0-9_-]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

type Step<T> = { ok: true; value: T } | { ok: false; problem: PartProblem };

function fail(part: PartName, code: PartProblem['code'], message: string): Step<never> {
  return { ok: false, problem: { part, code, message } };
}

/** base64url → bytes, naming the first offending character and its position when it fails. */
function decodeSegment(part: PartName, text: string, warnings: string[]): Step<Uint8Array> {
  const label = PART_LABEL[part];
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  const body = text.slice(0, end);
  if (end < text.length) {
    warnings.push(
      `The ${label} ends in "=" padding, which compact JWTs must not have; strict libraries reject it.`,
    );
  }
  const bad = BASE64URL_CHAR.exec(body);
  if (bad) {
    const char = bad[0];
    const hint =
      char === '+' || char === '/'
        ? ' That is standard Base64; JWTs use base64url ("-" and "_" instead of "+" and "/").'
        : '';
    const shown = /\s/.test(char)
      ? `whitespace (U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`
      : `"${char}"`;
    return fail(
      part,
      'bad-base64url',
      `The ${label} is not base64url: ${shown} at position ${bad.index + 1} of the part.${hint}`,
    );
  }
  if (body.length % 4 === 1) {
    return fail(
      part,
      'bad-base64url',
      `The ${label} has an impossible base64url length (${body.length} characters): it was probably cut off when copied.`,
    );
  }
  return { ok: true, value: base64url.decode(body) };
}

/** Decodes a header or payload segment to a JSON object, with one precise problem per failure. */
function decodeJsonSegment(
  part: PartName,
  text: string,
  warnings: string[],
  exact: Map<string, string>,
): Step<Record<string, unknown>> {
  const label = PART_LABEL[part];
  if (text === '') return fail(part, 'empty-segment', `The ${label} is empty.`);
  const bytes = decodeSegment(part, text, warnings);
  if (!bytes.ok) return bytes;
  let json: string;
  try {
    json = utf8.decode(bytes.value);
  } catch {
    return fail(
      part,
      'bad-utf8',
      `The ${label} decodes to bytes that are not UTF-8 text, so it cannot be JSON.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const preview = json.length > 40 ? `${json.slice(0, 40)}…` : json;
    return fail(
      part,
      'bad-json',
      `The ${label} is not valid JSON (${asClause(reason)}). It decodes to: ${JSON.stringify(preview)}`,
    );
  }
  for (const { key, digits, parsed } of unsafeIntegers(json)) {
    exact.set(parsed, exact.has(parsed) && exact.get(parsed) !== digits ? '' : digits);
    warnings.push(
      `${key ? `"${key}"` : 'A number'} in the ${label} is ${digits}, above 2^53: JavaScript (JSON.parse, and most JWT tools) reads it as ${parsed}. The exact digits are shown; compare it as text, and send such ids as strings.`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    return fail(part, 'not-object', `The ${label} is JSON ${what}, but it must be a JSON object.`);
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Decodes a compact JWS (3 parts), JWE (5 parts) or unsecured JWT (`alg: none`) without verifying
 * it. Never throws: every part that fails is reported in `problems` with the part and the reason,
 * and every part that decodes is returned.
 */
export function decodeCompact(token: string): Decoded {
  const segments = token.split('.');
  const problems: PartProblem[] = [];
  const warnings: string[] = [];
  const isJwe = segments.length === 5;
  const names = isJwe ? JWE_PARTS : JWS_PARTS;
  const parts: TokenPart[] = segments.map((text, i) => ({
    name: names[Math.min(i, names.length - 1)] ?? 'signature',
    text,
  }));
  if (segments.length !== 3 && segments.length !== 5) {
    problems.push({
      part: 'token',
      code: 'segment-count',
      message: `A JWT has 3 dot-separated parts (header.payload.signature), or 5 when encrypted (JWE); this one has ${segments.length}.`,
    });
  }

  const exact = new Map<string, string>();
  const header = decodeJsonSegment('header', segments[0] ?? '', warnings, exact);
  if (!header.ok) problems.push(header.problem);
  const alg = header.ok ? header.value.alg : undefined;
  if (header.ok && typeof alg !== 'string') {
    problems.push({
      part: 'header',
      code: 'missing-alg',
      message:
        'The header has no "alg" (algorithm) string, which every JWS and JWE header must have.',
    });
  }

  if (isJwe) {
    return {
      kind: 'jwe',
      parts,
      ...(header.ok ? { header: header.value } : {}),
      problems,
      warnings: [
        ...warnings,
        "This is an encrypted token (JWE): its claims are readable only with the recipient's private key.",
      ],
    };
  }

  const unsecured = alg === 'none';
  let payload: Record<string, unknown> | undefined;
  if (segments.length >= 2) {
    const decoded = decodeJsonSegment('payload', segments[1] ?? '', warnings, exact);
    if (decoded.ok) payload = decoded.value;
    else problems.push(decoded.problem);
  }
  const signature = segments[2];
  if (segments.length >= 3 && signature !== undefined) {
    if (unsecured) {
      if (signature !== '') {
        problems.push({
          part: 'signature',
          code: 'signature-present-for-none',
          message:
            'The header says "alg": "none" but a signature is present; an unsecured JWT must end with an empty signature.',
        });
      }
    } else if (signature === '') {
      problems.push({
        part: 'signature',
        code: 'missing-signature',
        message: `The signature is empty although the header names the algorithm ${JSON.stringify(alg)}: the token was truncated or stripped.`,
      });
    } else {
      const sig = decodeSegment('signature', signature, warnings);
      if (!sig.ok) problems.push(sig.problem);
    }
  }
  if (unsecured) {
    warnings.push(
      'Unsecured token ("alg": "none"): it has no signature, so anyone can forge it. Never accept it.',
    );
  }
  return {
    kind: unsecured ? 'unsecured' : 'jws',
    parts,
    ...(header.ok ? { header: header.value } : {}),
    ...(payload ? { payload } : {}),
    problems,
    warnings,
    ...exactIntegersOf(exact),
  };
}

function exactIntegersOf(exact: Map<string, string>): Pick<Decoded, 'exactIntegers'> {
  // '' marks two different integers that round alike: those are only warned about.
  const entries = [...exact].filter(([, digits]) => digits !== '');
  return entries.length > 0 ? { exactIntegers: Object.fromEntries(entries) } : {};
}
