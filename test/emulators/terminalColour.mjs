// What a CLI prints when its output is coloured through a pipe (FORCE_COLOR, CLICOLOR_FORCE, a
// wrapper such as `unbuffer`): each line wrapped in SGR colours (ECMA-48 §8.3.117), an OSC 8
// hyperlink ended by ST (the form VTE and iTerm2 document, egmontkob/hyperlinks gist), a window
// title ended by BEL (xterm ctlseqs, OSC 0), an 8-bit CSI (0x9B) and a charset selection `ESC ( B`.
// The fake CLIs pass their stdout and stderr through it when their state says `colour: true`.

/** The text with every non-empty line painted; line breaks kept. */
export function paint(text) {
  return text
    .split('\n')
    .map((line) =>
      line
        ? `\x1b]0;fake cli\x07\x1b(B\x1b[1;32m\x1b]8;id=1;https://example.com/docs\x1b\\${line}\x1b]8;;\x1b\\\x9b0m\x1b[K`
        : line,
    )
    .join('\n');
}

/** process.stdout/stderr.write, painted when `colour` is true. */
export function writer(stream, colour) {
  return (text) => stream.write(colour ? paint(text) : text);
}
