import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

// The naming table is README's "Names" section; this reads it and checks the UI's words.
const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface NameRow {
  readonly thing: string;
  /** The command titles the row names (its italics), e.g. "Inspect ID Token". */
  readonly titles: readonly string[];
  /** Words that must not name the thing in titles, labels and buttons. */
  readonly avoid: readonly string[];
}

function namingTable(): NameRow[] {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('### Names'), readme.indexOf('## Install'));
  return section
    .split('\n')
    .filter(
      (line) => line.startsWith('| ') && !line.startsWith('| Thing') && !line.startsWith('| ---'),
    )
    .map((line) => {
      const [thing = '', name = '', not = ''] = line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim());
      return {
        thing,
        titles: [...name.matchAll(/_([^_]+)_/g)].map((m) => m[1] ?? ''),
        avoid: not
          .split(',')
          .map((w) => w.trim())
          .filter(Boolean),
      };
    });
}

interface UiText {
  readonly text: string;
  readonly where: string;
}

const packageJson = JSON.parse(read('package.json')) as {
  contributes: {
    commands: { command: string; title: string }[];
    views: Record<string, { name: string }[]>;
    viewsWelcome: { contents: string }[];
  };
};
const titles = new Map(packageJson.contributes.commands.map((c) => [c.command, c.title]));

function packageTexts(): UiText[] {
  const { commands, views, viewsWelcome } = packageJson.contributes;
  return [
    ...commands.map((c) => ({ text: c.title, where: `package.json title of ${c.command}` })),
    ...Object.values(views)
      .flat()
      .map((v) => ({ text: v.name, where: 'package.json view name' })),
    ...viewsWelcome.flatMap((w) =>
      [...w.contents.matchAll(/\[([^\]]+)\]\(command:/g)].map((m) => ({
        text: m[1] ?? '',
        where: 'package.json welcome link',
      })),
    ),
    // The welcome views' prose too ("Or inspect any JWT" named the user's token by its format).
    ...viewsWelcome.map((w) => ({
      text: w.contents.replace(/\[[^\]]*\]\(command:[^)]*\)/g, ''),
      where: 'package.json welcome text',
    })),
  ];
}

/** Welcome-view links: the label and the command each runs. */
function welcomeLinks(): { label: string; id: string }[] {
  return packageJson.contributes.viewsWelcome.flatMap((w) =>
    [...w.contents.matchAll(/\[([^\]]+)\]\(command:([\w.]+)/g)].map((m) => ({
      label: m[1] ?? '',
      id: m[2] ?? '',
    })),
  );
}

/**
 * What the inspector itself says: its headings (html.ts), the webview's `text:` strings, where a
 * token was found ("text (the first token in it)") and the headline of each error it shows (the
 * words before the first colon or parenthesis), from the core modules that word them.
 */
function inspectorTexts(): UiText[] {
  const texts: UiText[] = [];
  const html = read('src/extension/webview/html.ts');
  for (const m of html.matchAll(/<h[1-3][^>]*>([^<]+)<\/h[1-3]>/g)) {
    texts.push({ text: m[1] ?? '', where: 'src/extension/webview/html.ts heading' });
  }
  for (const file of sourceFiles('src/webview')) {
    for (const m of read(file).matchAll(/\btext: '([^']+)'/g)) {
      texts.push({ text: m[1] ?? '', where: `${file} text` });
    }
  }
  const extract = read('src/core/jwt/extract.ts');
  for (const m of extract.matchAll(/(?:extracted\([^,]+, |foundIn(?: =|:) )[`']([^`']+)[`']/g)) {
    texts.push({ text: m[1] ?? '', where: 'src/core/jwt/extract.ts found-in label' });
  }
  for (const m of extract.matchAll(
    /TokenExplorerError\(\s*'[\w-]+',\s*(?:[^'`]*\?\s*)?[`']([^`':(]+)/g,
  )) {
    texts.push({ text: m[1] ?? '', where: 'src/core/jwt/extract.ts error headline' });
  }
  return texts;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

const commandIds = new Map(
  [...read('src/extension/commands/commandId.ts').matchAll(/(\w+) = '(tokenExplorer\.\w+)'/g)].map(
    (m) => [m[1] ?? '', m[2] ?? ''],
  ),
);

/**
 * The UI words in a source file: tree labels and command titles (`label:` / `title:` string
 * properties), inspector buttons (`button(id, icon, label, …)`) and notification buttons (the
 * string arguments after the message of `show…Message`). Also the tree rows' commands, whose
 * title must be the command's own.
 */
function sourceTexts(file: string): {
  texts: UiText[];
  rowCommands: { id: string; title: string; where: string }[];
} {
  const text = read(file);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const texts: UiText[] = [];
  const rowCommands: { id: string; title: string; where: string }[] = [];
  const where = (node: ts.Node) =>
    `${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
  const literal = (node: ts.Node | undefined) =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
      ? node.text
      : undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
      const value = literal(node.initializer);
      if (
        value !== undefined &&
        ['label', 'title'].includes(node.name.text) &&
        file.includes('/views/')
      ) {
        texts.push({ text: value, where: where(node) });
      }
    }
    if (ts.isObjectLiteralExpression(node)) {
      const prop = (name: string) =>
        node.properties.find(
          (p): p is ts.PropertyAssignment =>
            ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name,
        )?.initializer;
      const command = prop('command');
      const title = literal(prop('title'));
      if (
        command &&
        ts.isPropertyAccessExpression(command) &&
        command.expression.getText(source) === 'CommandId' &&
        title !== undefined
      ) {
        rowCommands.push({
          id: commandIds.get(command.name.text) ?? command.name.text,
          title,
          where: where(node),
        });
      }
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      if (callee === 'button') {
        const label = literal(node.arguments[2]);
        if (label !== undefined) texts.push({ text: label, where: where(node) });
      }
      if (/show(Information|Warning|Error)Message$/.test(callee)) {
        for (const arg of node.arguments.slice(1)) {
          const value = literal(arg);
          if (value !== undefined) texts.push({ text: value, where: where(arg) });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // The button() calls of html.ts sit in a template literal: parse their arguments from the text.
  for (const m of text.matchAll(/\$\{button\('[^']*', '[^']*', '([^']*)'/g)) {
    texts.push({ text: m[1] ?? '', where: `${file} button` });
  }
  return { texts, rowCommands };
}

const SOURCES = [
  ...sourceFiles('src/extension/views'),
  ...sourceFiles('src/extension/commands'),
  ...sourceFiles('src/extension/webview'),
  ...sourceFiles('src/extension/proxy'),
  'src/extension/localIssuerController.ts',
  'src/extension/extension.ts',
];

function mentions(text: string, phrase: string): boolean {
  const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${escaped}($|[^A-Za-z0-9_])`, 'i').test(text);
}

describe('Names: one noun per thing, one verb per action (README "Names")', () => {
  const table = namingTable();
  const fromSources = SOURCES.map(sourceTexts);
  const texts = [...packageTexts(), ...fromSources.flatMap((s) => s.texts), ...inspectorTexts()];

  it('reads the naming table and finds the UI texts', () => {
    assert.ok(table.length >= 8, `only ${table.length} rows`);
    assert.ok(texts.length >= 80, `only ${texts.length} UI texts`);
    assert.ok(fromSources.flatMap((s) => s.rowCommands).length >= 5);
  });

  it('names only real commands in the table', () => {
    const all = new Set(titles.values());
    for (const row of table) {
      for (const title of row.titles)
        assert.ok(all.has(title), `"${title}" (${row.thing}) is no command title`);
    }
  });

  it('uses no avoided word in a command title, view, tree label or button', () => {
    const offending = texts.flatMap(({ text, where }) =>
      table.flatMap((row) =>
        row.avoid
          .filter((phrase) => mentions(text, phrase))
          .map(
            (phrase) =>
              `${where}: "${text}" says "${phrase}"; the name for ${row.thing} is in README "Names"`,
          ),
      ),
    );
    assert.deepEqual(offending, []);
  });

  it('reads the welcome views, the inspector headings, found-in labels and error headlines', () => {
    const where = new Set(
      inspectorTexts().map((t) => t.where.replace(/^src\/webview\/\w+\.ts/, 'webview')),
    );
    for (const kind of [
      'src/extension/webview/html.ts heading',
      'webview text',
      'src/core/jwt/extract.ts found-in label',
      'src/core/jwt/extract.ts error headline',
    ]) {
      assert.ok(where.has(kind), `no ${kind} found`);
    }
    assert.ok(texts.some((t) => t.where === 'package.json welcome text'));
  });

  it('spells a button, link or notification button that names a command as its title', () => {
    // "Copy bearer header" for Copy Bearer Header, "Add Account" for Add Account…
    const byName = new Map(
      [...titles.values()].map((title) => [title.toLowerCase().replace(/…$/, ''), title]),
    );
    const misspelt = texts
      .map(({ text, where }) => ({
        text,
        where,
        title: byName.get(text.toLowerCase().replace(/…$/, '')),
      }))
      .filter(({ where }) => !/heading|welcome text/.test(where))
      .filter(({ text, title }) => title !== undefined && title !== text)
      .map(({ text, where, title }) => `${where}: "${text}" names the command "${title}"`);
    const links = welcomeLinks()
      .filter(({ label, id }) => titles.get(id) !== label)
      .map(({ label, id }) => `welcome link "${label}" runs ${id}, titled "${titles.get(id)}"`);
    assert.deepEqual([...misspelt, ...links], []);
  });

  it("gives every tree row and lens that runs a command that command's title", () => {
    const mismatched = fromSources
      .flatMap((s) => s.rowCommands)
      .filter(({ id, title }) => titles.get(id) !== title)
      .map(({ id, title, where }) => `${where}: "${title}" runs ${id}, titled "${titles.get(id)}"`);
    assert.deepEqual(mismatched, []);
  });
});
