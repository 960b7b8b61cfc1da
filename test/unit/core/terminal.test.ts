import * as assert from 'node:assert/strict';
import { stripTerminalControls } from '../../../src/core/terminal';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('stripTerminalControls', () => {
  it('removes each member of the ECMA-48 family, 7-bit and 8-bit', () => {
    const cases: [string, string][] = [
      ['SGR colour', `\x1b[1;32m${JWT}\x1b[0m`],
      ['SGR with colon sub-parameters', `\x1b[38:2::255:0:0m${JWT}\x1b[m`],
      ['8-bit CSI', `\x9b31m${JWT}\x9b0m`],
      ['erase line and cursor moves', `\x1b[2K\x1b[1G\x1b[?25l${JWT}\x1b[?25h`],
      ['OSC 8 hyperlink ended by ST', `\x1b]8;;https://x.example/\x1b\\${JWT}\x1b]8;;\x1b\\`],
      ['OSC title ended by BEL', `\x1b]0;title\x07${JWT}`],
      ['8-bit OSC ended by 8-bit ST', `\x9d0;title\x9c${JWT}`],
      ['DCS', `\x1bP1$r0m\x1b\\${JWT}`],
      ['APC, PM and SOS', `\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\${JWT}`],
      ['charset selection and keypad mode', `\x1b(B\x1b=${JWT}\x1b>`],
      ['stray C0 controls', `\x07\x08${JWT}\x7f`],
    ];
    for (const [name, text] of cases) {
      assert.equal(stripTerminalControls(`${text}\n`), `${JWT}\n`, name);
    }
  });

  it('keeps text without controls, tabs, line feeds and carriage returns', () => {
    const text = `a\tb\r\nc ${JWT} ü €`;
    assert.equal(stripTerminalControls(text), text);
  });

  it('drops an unterminated sequence to the end, as a terminal would', () => {
    assert.equal(stripTerminalControls(`${JWT}\x1b]8;;https://never-ended`), JWT);
    assert.equal(stripTerminalControls(`${JWT}\x1b[12;`), JWT);
    assert.equal(stripTerminalControls(`${JWT}\x1b`), JWT);
  });

  it('reads a megabyte of hostile introducers in one pass', () => {
    // Each CSI ends at the next ESC; the unterminated OSC swallows the rest (one scan, no retry).
    const hostile = `${'\x1b[;'.repeat(200_000)}m${JWT}${'\x1b]'.repeat(200_000)}`;
    assert.equal(stripTerminalControls(hostile), JWT);
  });
});
