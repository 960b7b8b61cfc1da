/** Options for {@link el}: only fixed, non-URL attributes; data goes in through text nodes. */
export interface ElOptions {
  readonly className?: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

/** Attributes that could load a resource or run code; the panel never sets them from data. */
const forbiddenAttrs = /^(on|href$|src$|srcset$|style$|action$|formaction$|xlink:href$)/i;

/** Creates an element; text is set with textContent, so markup in data stays literal. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElOptions = {},
  children: readonly (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (forbiddenAttrs.test(name)) throw new Error(`Refusing to set attribute "${name}".`);
    node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/** A codicon glyph, hidden from screen readers (the text next to it says the same). */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  return el('span', {
    className: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`,
    attrs: { 'aria-hidden': 'true' },
  });
}

/** The element with this id from the static skeleton in html.ts. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The inspector page has no element #${id}.`);
  return node as T;
}

// Bidi embedding/override/isolate controls and the invisible marks: they can make a value read
// differently from what it is (CVE-2021-42574 "Trojan Source"), so they are shown, not applied.
const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a token as DOM nodes: literal text, with each bidi control character replaced by a
 * visible marker such as ⟨U+202E⟩.
 */
export function safeText(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  let last = 0;
  for (const match of text.matchAll(bidiControls)) {
    const index = match.index;
    if (index > last) out.push(text.slice(last, index));
    const code = match[0].codePointAt(0) ?? 0;
    const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    out.push(
      el('span', {
        className: 'bidi-marker',
        text: `⟨${name}⟩`,
        attrs: { title: `Invisible bidirectional control character ${name}` },
      }),
    );
    last = index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** An element whose content is token data, shown literally (see {@link safeText}). */
export function dataEl<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text: string,
  options: Omit<ElOptions, 'text'> = {},
): HTMLElementTagNameMap[K] {
  return el(tag, options, safeText(text));
}
