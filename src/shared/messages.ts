// Checks of the messages that cross the webview boundary. The webview is untrusted (it renders
// token claims, which are attacker-controlled text), so the host acts only on a message that
// parses here, rebuilt field by field; anything else is dropped.
import type { CopyTarget, HostToWebview, WebviewToHost } from './protocol';

type Fields = Readonly<Record<string, unknown>>;

/** Upper bounds for the "rendered" report: far above any real token, far below a flood. */
const MAX_REF = 100;
const MAX_CLAIMS = 1000;
const MAX_TEXT = 1000;

const COPY_TARGETS: Readonly<Record<CopyTarget, true>> = {
  token: true,
  bearer: true,
  'header-json': true,
  'payload-json': true,
};

const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max;

function isCopyTarget(value: unknown): value is CopyTarget {
  return typeof value === 'string' && Object.hasOwn(COPY_TARGETS, value);
}

function isTextList(value: unknown): value is readonly string[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_CLAIMS &&
    value.every((item: unknown) => isText(item, MAX_TEXT))
  );
}

/** One parser per message type: the mapped type makes a new type without a parser a compile error. */
const webviewParsers: {
  readonly [T in WebviewToHost['type']]: (
    fields: Fields,
  ) => Extract<WebviewToHost, { type: T }> | undefined;
} = {
  ready: () => ({ type: 'ready' }),
  copy: ({ target }) => (isCopyTarget(target) ? { type: 'copy', target } : undefined),
  verifyWithKey: () => ({ type: 'verifyWithKey' }),
  verifyWithIssuer: () => ({ type: 'verifyWithIssuer' }),
  inspectAnother: () => ({ type: 'inspectAnother' }),
  callService: () => ({ type: 'callService' }),
  checkAgainstUrl: () => ({ type: 'checkAgainstUrl' }),
  copyAs: () => ({ type: 'copyAs' }),
  copyFindingCommand: ({ index }) =>
    typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < MAX_CLAIMS
      ? { type: 'copyFindingCommand', index }
      : undefined,
  checkTrust: () => ({ type: 'checkTrust' }),
  rendered: ({ ref, claimNames, countdown }) =>
    isText(ref, MAX_REF) && isTextList(claimNames) && isText(countdown, MAX_TEXT)
      ? { type: 'rendered', ref, claimNames: [...claimNames], countdown }
      : undefined,
};

function fieldsOf(data: unknown): Fields | undefined {
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Fields)
    : undefined;
}

/**
 * A message from the webview as the host may act on it, or undefined when it is not one: not an
 * object, an unknown `type` (prototype names included), or a field of the wrong type or size.
 * Fields the protocol does not name are not carried over.
 */
export function parseWebviewMessage(data: unknown): WebviewToHost | undefined {
  const fields = fieldsOf(data);
  const type = fields?.['type'];
  if (!fields || typeof type !== 'string' || !Object.hasOwn(webviewParsers, type)) return undefined;
  const parse = webviewParsers[type as WebviewToHost['type']] as (
    fields: Fields,
  ) => WebviewToHost | undefined;
  return parse(fields);
}

const HOST_TYPES: Readonly<Record<HostToWebview['type'], true>> = {
  show: true,
  verification: true,
  empty: true,
  call: true,
  masked: true,
  trust: true,
};

/** Whether data is a message from the host (which is trusted: only its type is checked). */
export function isHostMessage(data: unknown): data is HostToWebview {
  const type = fieldsOf(data)?.['type'];
  return typeof type === 'string' && Object.hasOwn(HOST_TYPES, type);
}
