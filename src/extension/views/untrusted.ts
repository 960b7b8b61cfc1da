import * as vscode from 'vscode';

// Text from a token or a paste is data on every surface: no link, command, image or icon from it.
// Markdown surfaces (hovers, tooltips) get it as a code span, where CommonMark makes no links,
// emphasis, HTML or images and no URL is auto-linked; a theme icon "$(name)" still renders there
// in VS Code 1.100 (seen in code-server), so "$(" also gets a word joiner. Plain-string
// surfaces that still parse "[label](target)" links (notifications, input box validation
// messages) get a WORD JOINER (U+2060) wherever a link or an icon could start, which renders as
// nothing and breaks the syntax.

const WORD_JOINER = '\u2060';

/** A CommonMark code span showing `value` literally, whatever backticks it holds. */
export function codeSpan(value: string): string {
  // VS Code renders "$(icon)" even inside code spans: a word joiner after "$" breaks it.
  const flat = value.replace(/[\r\n]+/g, ' ').replace(/\$\(/g, `$${WORD_JOINER}(`);
  let longest = 0;
  let run = 0;
  for (const char of flat) {
    run = char === '`' ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  const fence = '`'.repeat(longest + 1);
  // A span that starts or ends with a backtick or a space needs a space inside each fence.
  const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * `value` for a plain-string surface that renders "[label](target)" links and "$(icon)" syntax:
 * the same characters, with a word joiner after each "]", "$" and "[" so that no link or icon
 * can be formed from it.
 */
export function inert(value: string): string {
  return value.replace(/[\]$[]/g, (char) => `${char}${WORD_JOINER}`);
}

/** Appends untrusted text to a MarkdownString as a literal code span. */
export function appendUntrusted(md: vscode.MarkdownString, value: string): void {
  md.appendMarkdown(codeSpan(value));
}

// Punctuation around a URL belongs to the sentence (GitHub's autolink rule trims it too).
const OPENING = '([{<"\'';
const CLOSING = '.,:;!?)]}>"\'';

/** Whether a markdown renderer with GitHub's autolinks makes a link of (part of) this word. */
function autolinked(word: string): boolean {
  if (word.includes('://') || /^\W*www\./i.test(word)) return true;
  const at = word.indexOf('@');
  return at > 0 && word.indexOf('.', at) > at + 1;
}

/**
 * Appends plain text to a MarkdownString with each URL, "www." name and email address in it as a
 * code span: shown literally and never a link. appendText alone leaves them to the autolinker,
 * which also takes in the backslash appendText puts before a following ")" or "." (a link
 * ending in "\\"). Linear: each word is looked at once.
 */
export function appendPlainText(md: vscode.MarkdownString, text: string): void {
  let plain = '';
  for (const word of text.split(/(\s+)/)) {
    if (!autolinked(word)) {
      plain += word;
      continue;
    }
    let from = 0;
    let to = word.length;
    while (from < to && OPENING.includes(word.charAt(from))) from++;
    while (to > from && CLOSING.includes(word.charAt(to - 1))) to--;
    md.appendText(plain + word.slice(0, from));
    md.appendMarkdown(codeSpan(word.slice(from, to)));
    plain = word.slice(to);
  }
  md.appendText(plain);
}

/**
 * A MarkdownString for text that mixes our markdown with untrusted values: HTML off, theme icons
 * on (ours), and only the listed commands of ours runnable from its links.
 */
export function trustedMarkdown(commands: readonly string[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportHtml = false;
  md.isTrusted = { enabledCommands: [...commands] };
  return md;
}
