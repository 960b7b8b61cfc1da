import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkSync } from 'recheck';
import * as ts from 'typescript';

// The scanners of user text: the JWT core, and the views that hand it lines and pasted text.
const SCANNERS = [
  'src/core/jwt',
  'src/extension/views',
  'src/extension/commands/inspectJwt.ts',
  'src/core/providers/tokenFile',
  'src/core/providers/aws',
  'src/core/inputRules.ts',
];
const ROOT = join(__dirname, '..', '..', '..', '..', '..');

function sourceFiles(path: string): string[] {
  const full = join(ROOT, path);
  return path.endsWith('.ts')
    ? [full]
    : readdirSync(full)
        .filter((name) => name.endsWith('.ts'))
        .map((name) => join(full, name));
}

/** Every regular expression literal in a file, with its line, found by the TypeScript parser. */
function regexLiterals(file: string): { source: string; flags: string; where: string }[] {
  const text = readFileSync(file, 'utf8');
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { source: string; flags: string; where: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(sourceFile);
      const slash = literal.lastIndexOf('/');
      const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
      found.push({
        source: literal.slice(1, slash),
        flags: literal.slice(slash + 1),
        where: `${file.slice(ROOT.length + 1)}:${line}`,
      });
    }
    if (ts.isNewExpression(node) && node.expression.getText(sourceFile) === 'RegExp') {
      assert.fail(`${file}: a RegExp built at run time cannot be checked here; use a literal`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

describe('ReDoS: every regular expression that reads user text (recheck)', function () {
  this.timeout(120_000);
  const all = SCANNERS.flatMap(sourceFiles).flatMap(regexLiterals);

  it('finds the expressions to check', () => {
    assert.ok(all.length >= 15, `only ${all.length} found`);
  });

  for (const { source, flags, where } of all) {
    it(`${where} /${source}/${flags} is not vulnerable`, () => {
      const diagnostics = checkSync(source, flags, { timeout: 20_000 });
      assert.notEqual(
        diagnostics.status,
        'vulnerable',
        `${where}: ${JSON.stringify(diagnostics).slice(0, 600)}`,
      );
      if (diagnostics.status === 'unknown') {
        assert.fail(`${where}: recheck could not decide (${JSON.stringify(diagnostics.error)})`);
      }
    });
  }
});
