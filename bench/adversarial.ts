import { TokenExplorerError } from '../src/core/errors';
import { findJwts, jwtAt } from '../src/core/jwt/find';
import { inspectToken } from '../src/core/jwt/inspect';
import { median, row, time } from './report';

/** The shapes that made the old finder quadratic (issue 9), each as one long line. */
export function adversarialLines(size: number, token: string): Record<string, string> {
  const json = Buffer.from(JSON.stringify({ a: Array.from({ length: size / 16 }, () => ({})) }));
  return {
    '"eyJ" run': 'eyJ'.repeat(size / 3),
    'data: URL of JSON': `data:application/json;base64,${json.toString('base64')}`.slice(0, size),
    '"eyJxxxx." run': 'eyJabcd.'.repeat(size / 8),
    '"=" run after a header': `eyJhbGciOi${'='.repeat(size)}`,
    'punctuation run after a token': `${token}${','.repeat(size)}x`,
    'wrapped "eyJ" lines': 'eyJabcdefghij\n'.repeat(size / 14),
    // recheck's attack string for a lookbehind-anchored finder.
    'mixed "eyJ" run': 'eyJ-J-yJe--eee'.repeat(size / 14),
  };
}

/** Flat copies, as VS Code hands documents over (repeat() builds a slow rope). */
function flat(text: string): string {
  return Buffer.from(text).toString();
}

/**
 * Figures for issue 9: all JWTs in a 10 MB adversarial document, the worst single hover call
 * (jwtAt) on a 1 MB line of each shape, and pasting 1 MB of each shape into the inspector.
 */
export function benchAdversarial(token: string, logFindMs: number): void {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 10 * 1024 * 1024; i++) {
    for (const [shape, line] of Object.entries(adversarialLines(64 * 1024, token))) {
      // Short "eyJ" lines are a document of their own below: each is a candidate to read.
      if (shape === 'wrapped "eyJ" lines') continue;
      parts.push(line, `INFO ${i} Authorization: Bearer ${token}`);
      size += line.length + token.length + 30;
    }
  }
  const findAll = (name: string, text: string) => {
    const document = flat(text);
    let found = 0;
    const ms = median(
      Array.from({ length: 7 }, () =>
        time(() => {
          found = findJwts(document).length;
        }),
      ),
    );
    row(
      `${name} (${found} found)`,
      `${ms.toFixed(1)} ms (${(ms / logFindMs).toFixed(2)}× the log)`,
      '≤ 50 ms',
    );
  };
  findAll('find all JWTs in a 10 MB adversarial document', parts.join('\n'));
  findAll(
    'find all JWTs in 10 MB of short "eyJ…" lines',
    'eyJabcdefghij\n'.repeat((10 * 1024 * 1024) / 14),
  );
  let worstHover = 0;
  let worstHoverShape = '';
  let worstPaste = 0;
  let worstPasteShape = '';
  for (const [shape, text] of Object.entries(adversarialLines(1024 * 1024, token))) {
    const line = flat(text);
    for (const at of [0, line.length >> 1, line.length - 1]) {
      const ms = median(Array.from({ length: 5 }, () => time(() => jwtAt(line, at))));
      if (ms > worstHover) [worstHover, worstHoverShape] = [ms, shape];
    }
    const ms = time(() => {
      try {
        inspectToken(line);
      } catch (error) {
        if (!(error instanceof TokenExplorerError)) throw error;
      }
    });
    if (ms > worstPaste) [worstPaste, worstPasteShape] = [ms, shape];
  }
  row(
    `worst hover lookup on a 1 MB line (${worstHoverShape})`,
    `${worstHover.toFixed(2)} ms`,
    'a few ms',
  );
  row(`worst paste of 1 MB into Inspect JWT (${worstPasteShape})`, `${worstPaste.toFixed(1)} ms`);
}
