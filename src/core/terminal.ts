/**
 * Terminal control sequences removed from what a CLI printed, so that colours (`FORCE_COLOR`
 * through a pipe), hyperlinks and window titles do not glue onto a token: `\x1b[32meyJ…` must read
 * as `eyJ…`. The grammar is ECMA-48 (5th edition, §5.3–5.6, §8.3.89 ST), in its 7-bit (ESC + Fe)
 * and 8-bit (C1) forms:
 * - CSI `ESC [` / `0x9B`, parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, one final byte
 *   0x40–0x7E (SGR colours, cursor moves, erase);
 * - command strings OSC `ESC ]` / `0x9D`, DCS `ESC P` / `0x90`, SOS `ESC X` / `0x98`,
 *   PM `ESC ^` / `0x9E`, APC `ESC _` / `0x9F`, ended by ST (`ESC \` / `0x9C`) or, as xterm
 *   accepts for OSC (OSC 8 hyperlinks, titles), by BEL;
 * - other escape sequences: `ESC`, intermediates 0x20–0x2F, a final byte 0x30–0x7E (charset
 *   selection `ESC ( B`, keypad modes `ESC =`);
 * - the other C0/C1 controls except tab, line feed and carriage return.
 * An unterminated sequence is dropped to the end of the text, as a terminal would swallow it.
 *
 * One left-to-right pass, each character looked at once: linear in the length of the text.
 * (strip-ansi/ansi-regex and Node's `util.stripVTControlCharacters` use one regular expression
 * that leaves ST-terminated strings, DCS/APC/PM/SOS and C1 forms in place.)
 */
export function stripTerminalControls(text: string): string {
  // Fast path: most CLI output holds no control character at all.
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (!/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/.test(text)) return text;
  let out = '';
  let kept = 0;
  let i = 0;
  const n = text.length;
  const drop = (from: number, to: number): void => {
    out += text.slice(kept, from);
    kept = to;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x1b || (c >= 0x80 && c <= 0x9f)) {
      const start = i;
      // The 7-bit form ESC + Fe (0x40–0x5F) is the C1 control Fe + 0x40.
      let kind = c;
      i++;
      if (c === 0x1b && i < n) {
        const next = text.charCodeAt(i);
        if (next >= 0x40 && next <= 0x5f) {
          kind = next + 0x40;
          i++;
        } else {
          while (i < n && text.charCodeAt(i) >= 0x20 && text.charCodeAt(i) <= 0x2f) i++;
          if (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x7e) i++;
          drop(start, i);
          continue;
        }
      }
      if (kind === 0x9b) i = endOfCsi(text, i);
      else if (kind === 0x9d || kind === 0x90 || kind === 0x98 || kind === 0x9e || kind === 0x9f) {
        i = endOfString(text, i, kind === 0x9d);
      }
      drop(start, i);
      continue;
    }
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) drop(i, i + 1);
    i++;
  }
  return out + text.slice(kept);
}

/** Where a CSI ends: after parameter and intermediate bytes, past the final byte. */
function endOfCsi(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x3f) i++;
    else return c >= 0x40 && c <= 0x7e ? i + 1 : i;
  }
  return i;
}

/** Where a command string ends: past its ST (or BEL for OSC), else at the end of the text. */
function endOfString(text: string, i: number, bellEnds: boolean): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x9c || (bellEnds && c === 0x07)) return i + 1;
    if (c === 0x1b && text.charCodeAt(i + 1) === 0x5c) return i + 2;
    i++;
  }
  return i;
}
