// JSON.parse accepts nesting of any depth, but JSON.stringify and structured messaging recurse and
// run out of stack (10,000 nested arrays in a 27 KB token, issue 9). These helpers never recurse.

/** Deeper than this, a value is sent to the webview as text, not as nested objects. */
export const MAX_WIRE_DEPTH = 64;

type Frame =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: string };

/**
 * Compact JSON of a parsed JSON value (objects, arrays, strings, numbers, booleans, null), of any
 * depth: an explicit stack instead of recursion. Keys come out in the object's own order.
 */
export function compactJson(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [{ kind: 'value', value: root }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    if (frame.kind === 'text') {
      out.push(frame.text);
      continue;
    }
    const { value } = frame;
    if (Array.isArray(value)) {
      stack.push({ kind: 'text', text: ']' });
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ kind: 'value', value: value[i] ?? null });
        if (i > 0) stack.push({ kind: 'text', text: ',' });
      }
      out.push('[');
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      stack.push({ kind: 'text', text: '}' });
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i] ?? ['', null];
        stack.push({ kind: 'value', value: item });
        stack.push({ kind: 'text', text: `${i > 0 ? ',' : ''}${JSON.stringify(key)}:` });
      }
      out.push('{');
    } else {
      out.push(JSON.stringify(value) ?? 'null');
    }
  }
  return out.join('');
}

/**
 * JSON.stringify with `indent`, falling back to {@link compactJson} when it is too deep for it,
 * and to a note for what JSON cannot write at all (a cycle, built in code).
 */
export function jsonText(value: unknown, indent = 2): string {
  try {
    return JSON.stringify(value, null, indent) ?? String(value);
  } catch (error) {
    if (error instanceof RangeError && depthOf(value, MAX_WIRE_DEPTH) >= MAX_WIRE_DEPTH) {
      return compactJson(value);
    }
    return `(${typeof value} that cannot be written as JSON)`;
  }
}

/** How deep a parsed JSON value nests (a scalar is 0), without recursion; stops counting at `cap`. */
export function depthOf(root: unknown, cap = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const seen = new Set<object>();
  const stack: [unknown, number][] = [[root, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, depth] = next;
    // Parsed JSON has no cycles; a value built in code may (then it counts once).
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    deepest = Math.max(deepest, depth + 1);
    if (deepest >= cap) return deepest;
    for (const item of Object.values(value)) stack.push([item, depth + 1]);
  }
  return deepest;
}

/**
 * A copy of an object whose members nest deeper than `max` levels replaced by a note, so that it
 * survives JSON serialization (VS Code's postMessage). Untouched (same object) when shallow enough.
 */
export function clampDepth(
  root: Readonly<Record<string, unknown>>,
  max = MAX_WIRE_DEPTH,
): Readonly<Record<string, unknown>> {
  if (depthOf(root, max + 1) <= max) return root;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(root)) {
    copy[key] =
      depthOf(value, max) < max
        ? value
        : `(nested more than ${max} levels deep: shown as text in its claim row)`;
  }
  return copy;
}
