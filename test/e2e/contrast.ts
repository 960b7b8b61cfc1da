// WCAG 2 contrast of every visible text element against its effective background, measured in the
// page from computed styles (https://www.w3.org/TR/WCAG21/#contrast-minimum: 4.5:1, 3:1 for large
// text, i.e. at least 24 px, or 18.66 px bold). Runs inside the browser: keep it self-contained.
import type { Locator } from 'playwright-core';

/** One text element below the ratio it needs. */
export interface ContrastFailure {
  readonly element: string;
  readonly text: string;
  readonly ratio: number;
  readonly needed: number;
  readonly colors: string;
}

export interface ContrastReport {
  /** Text elements measured. */
  readonly checked: number;
  /** The lowest ratio seen, for the report. */
  readonly lowest: number;
  readonly failures: readonly ContrastFailure[];
}

/** Measures every visible text element under `root`'s first match. */
export function checkContrast(root: Locator): Promise<ContrastReport> {
  return root.first().evaluate((rootElement: Element): ContrastReport => {
    interface Rgba {
      r: number;
      g: number;
      b: number;
      a: number;
    }
    const parse = (css: string): Rgba | undefined => {
      const hex = /^#([0-9a-f]{3,8})$/i.exec(css.trim())?.[1];
      if (hex) {
        const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex;
        const n = (i: number) => parseInt(full.slice(i, i + 2), 16);
        return { r: n(0), g: n(2), b: n(4), a: full.length === 8 ? n(6) / 255 : 1 };
      }
      const m = /rgba?\(([^)]*)\)/.exec(css);
      if (!m?.[1]) return undefined;
      const p = m[1]
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map((v) => (v.endsWith('%') ? (parseFloat(v) / 100) * 255 : parseFloat(v)));
      return {
        r: p[0] ?? 0,
        g: p[1] ?? 0,
        b: p[2] ?? 0,
        a: m[0].startsWith('rgba') ? (p[3] ?? 1) : 1,
      };
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const doc = rootElement.ownerDocument;
    const view = doc.defaultView!;
    // Under everything: the theme's editor background (the webview host paints it), else white.
    const base = parse(
      view.getComputedStyle(doc.documentElement).getPropertyValue('--vscode-editor-background'),
    ) ??
      parse(view.getComputedStyle(doc.body).getPropertyValue('--vscode-editor-background')) ?? {
        r: 255,
        g: 255,
        b: 255,
        a: 1,
      };
    const background = (element: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let e: Element | null = element; e; e = e.parentElement) {
        const color = parse(view.getComputedStyle(e).backgroundColor);
        if (color && color.a > 0) {
          layers.push(color);
          if (color.a >= 1) break;
        }
      }
      return layers.reverse().reduce((below, layer) => over(layer, below), base);
    };
    const luminance = (c: Rgba) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    const describe = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${Array.from(e.classList, (c) => `.${c}`).join('')}`;
    const failures: ContrastFailure[] = [];
    let checked = 0;
    let lowest = Infinity;
    const seen = new Set<Element>();
    const walker = doc.createTreeWalker(rootElement, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const element = node.parentElement;
      if (!element || seen.has(element) || !node.textContent?.trim()) continue;
      seen.add(element);
      if (element.closest('[hidden], [aria-hidden="true"]')) continue;
      const style = view.getComputedStyle(element);
      const box = element.getBoundingClientRect();
      if (style.visibility !== 'visible' || box.width === 0 || box.height === 0) continue;
      let opacity = 1;
      for (let e: Element | null = element; e; e = e.parentElement) {
        opacity *= parseFloat(view.getComputedStyle(e).opacity);
      }
      if (opacity === 0) continue;
      const bg = background(element);
      const fgColor = parse(style.color) ?? { r: 0, g: 0, b: 0, a: 1 };
      const fg = over({ ...fgColor, a: fgColor.a * opacity }, bg);
      const [l1, l2] = [luminance(fg), luminance(bg)];
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(style.fontSize);
      const bold = parseInt(style.fontWeight, 10) >= 700;
      const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      checked++;
      lowest = Math.min(lowest, ratio);
      if (ratio < needed) {
        const rgb = (c: Rgba) => `rgb(${[c.r, c.g, c.b].map(Math.round).join(', ')})`;
        failures.push({
          element: describe(element),
          text: (node.textContent ?? '').trim().slice(0, 40),
          ratio: Math.round(ratio * 100) / 100,
          needed,
          colors: `${rgb(fg)} on ${rgb(bg)}`,
        });
      }
    }
    return { checked, lowest: Math.round(lowest * 100) / 100, failures };
  });
}
