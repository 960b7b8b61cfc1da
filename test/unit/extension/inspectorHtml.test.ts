import * as assert from 'node:assert/strict';
import { inspectorHtml } from '../../../src/extension/webview/html';

const page = inspectorHtml({
  cspSource: 'vscode-resource:',
  nonce: 'n',
  scriptUri: 's.js',
  styleUri: 's.css',
  codiconsUri: 'c.css',
  callStyleUri: 'call.css',
});

/** The page's buttons and links: id, attributes and visible text (the page nests neither). */
const controls = [...page.matchAll(/<(button|a)\b([^>]*)>([\s\S]*?)<\/\1>/g)].map((m) => {
  const attrs = m[2] ?? '';
  const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
  return {
    id: attr('id') ?? '?',
    // Filled in by the script when it is shown (e.g. "Show all (…)"); the UI test checks it then.
    filledLater: /\shidden\b/.test(attrs),
    ariaLabel: attr('aria-label'),
    title: attr('title'),
    visible: (m[3] ?? '')
      .replace(/<[^>]*>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  };
});

describe('inspector page: every button is announced by what it shows (WCAG 2.5.3)', () => {
  it('finds the toolbar', () => {
    assert.ok(controls.length >= 10, `${controls.length} buttons`);
    assert.ok(controls.some((c) => c.id === 'copy-bearer'));
  });

  it('has an accessible name holding the visible label, and the tooltip as title', () => {
    const wrong = controls.flatMap(({ id, ariaLabel, visible, filledLater }) => {
      const name = ariaLabel ?? visible;
      if (visible === '') return name === '' && !filledLater ? [`${id}: no accessible name`] : [];
      return name.toLowerCase().includes(visible.toLowerCase())
        ? []
        : [`${id}: shows "${visible}" but is announced as "${name}"`];
    });
    assert.deepEqual(wrong, []);
    const untitled = controls.filter((c) => c.visible !== '' && c.title === undefined);
    assert.deepEqual(untitled, []);
  });
});
